// Package importers turns uploaded spreadsheets into domain records and
// row-level problems: bytes in, access records and access.Problem values
// out. It knows no database and no HTTP; Parser implements access.Parser.
//
// # Files
//
// .xlsx workbooks are opened with excelize, within unzip limits, and
// their worksheets streamed row by row by a lean reader of the sheet XML
// (leanrows.go, sheetxml.go): it returns exactly what excelize's Rows
// iterator returns with raw cell values, several times faster, and hands a
// sheet over to excelize wherever the XML is outside the plain subset it
// reads (comments, CDATA, other encodings, prefixed cell elements,
// malformed markup), so that every workbook reads as excelize reads it; a
// differential test and fuzz target hold the two to the same answers.
// Merged cells, templates and writing stay with excelize. Every worksheet
// is searched for a table and sheets without one (instructions, notes) are
// passed over. .xls workbooks (Excel 97–2003,
// BIFF8) are read with github.com/shakinm/xlsReader, a damaged one being an
// error, never a panic. .ods files are refused with a message saying how to
// save them as .xlsx (no Go reader of OpenDocument spreadsheets is
// maintained). .csv and .tsv files are streamed with encoding/csv; the
// delimiter (comma, semicolon or tab) is sniffed, a UTF-8 byte order mark
// is dropped, UTF-16 with a byte order mark is decoded, and text that is
// not valid UTF-8 is read as Windows-1252. CRLF and LF line ends are both
// read.
//
// Each sheet is offered to the layouts of sheetLayouts (layouts.go) in
// order; the general table reader described below comes last. A publisher
// layout the general reader cannot map is one entry in that list.
//
// # Finding the table
//
// The header is the first of the top 40 rows that names a country column
// (ISO3, ISO2, M49/numeric code or name) together with years, drugs or
// quantities. Title rows, units lines and notes above it are read for the
// unit ("(kilograms of anhydrous base)"), the drug ("Consumption of
// morphine") and the year; the sheet name is read the same way. Merged
// header cells are filled from their top-left cell. Below the header, blank
// rows and one-cell note lines ("a Figures for this country were estimated
// by the Board.") are not data rows; ParseResult.Rows counts the rest.
// Footnote markers after names ("United Republic of Tanzania a") are
// ignored when the name with them is unknown.
//
// The kind is detected from the headers unless ParseInput.Kind is set.
// ParseResult.Layout names what was recognised:
//
//	consumption-long      one row per country, year and drug: Country/ISO3, Year, Drug,
//	                      Consumption, Unit, Manufacture, Utilization, Stocks, Seizures
//	incb-wide-years       INCB report table: countries down, years across; the drug
//	                      from the sheet name or title (one sheet per drug) or a Drug column
//	incb-wide-drugs       countries down, drugs across (the country column may be
//	                      unnamed); the year from a column, the title or the sheet name
//	estimates-long        Form B: Country, Year, Drug, Kind, Status, Unit, (a)–(d), Total
//	estimates-wide-years, estimates-wide-drugs
//	wpp                   UN World Population Prospects: thousands (by sex or total)
//	wdi-long, wdi-wide    World Bank WDI: persons; Country Name, Country Code, Year, Value
//	                      or the bulk API_… layout with Indicator Name/Code and years across
//	databank-wide         World Bank DataBank export: Series Name/Code, "2019 [YR2019]"
//	owid-grapher          Our World in Data grapher download: Entity, Code, Year, series
//	population-long, population-wide-years
//	deaths-long           Country, Year, Cause, Deaths
//	deaths-wide           one column per cause (deaths_neoplasms, ...)
//	owid-gbd              Our World in Data / GBD: "Deaths - Neoplasms - Sex: Both -
//	                      Age: All Ages (Number)"; rate, share, subgroup and other columns
//	                      listed once as ignored
//	ihme-gbd              IHME GBD results tool: measure_name, location_name, cause_name,
//	                      metric_name, year, val; Deaths / Number / Both / All ages kept
//	gho-long              WHO GHO export: IndicatorCode, SpatialDimValueCode, Period,
//	                      FactValueNumeric (preferred to the display text Value)
//	gho-wide              WHO GHO table: "Countries, territories and areas", years
//	                      across, the indicator above
//	deaths-wide-years
//	countries-reference   ISO3 with who_region and wb_ig_YYYY columns
//	who-gho               WHO GHO country export: DimensionMemberCode, WHO_REGION_CODE,
//	                      WORLD_BANK_INCOME_GROUP
//	worldbank-metadata    World Bank country metadata: Country Code, Region, IncomeGroup
//	worldbank-income-history  the World Bank's historical classification (OGHIST.xlsx) as
//	                      published: one record per economy and data year (FY − 2)
//	worldbank-class       the World Bank's current classification (CLASS.xlsx) as published,
//	                      the aggregates its "composition" sheet lists passed over
//	who-hai-summary       WHO/HAI survey summary (kind availability): see below
//	gho-ccs-long          GHO export of the country-capacity indicator, one row per
//	                      country and year (kind ccs): SpatialDimValueCode or Location,
//	                      Period, Value, optionally IndicatorCode / Indicator
//	gho-ccs-wide          the same, countries down and survey years across
//
// Where a table holds an indicator (WDI, DataBank, GHO) or one column per
// series (OWID), the series map to what is stored through series.csv, a
// versioned table embedded in the package; series it does not map are
// listed once as ignored ("ignored 2 series …: NY.GDP.PCAP.CD (2)"), never
// refused.
//
// A workbook whose sheets hold different layouts reports them joined by "+".
//
// # Availability surveys
//
// Survey files are read by availability.go before the table search above,
// when the kind is availability or ccs, or when the kind is not given and a
// sheet's top rows show a WHO/HAI summary (a Medicine column with %
// availability, MPR or facilities-surveyed columns) or a country-capacity
// export (oral morphine's availability named in a title or indicator cell,
// and answers in words). A WHO/HAI summary has a metadata block above the
// table (Country:, Survey year:, Survey title:, Reference price: with its
// year, Currency:, Lowest-paid government worker's daily wage:); medicines
// down (optionally Strength and Dosage form columns, a Country and a Survey
// year column, per-row Currency and wage columns); per sector, columns for
// % availability, median price ratio, facilities surveyed and median unit
// price, the sector named in the header or in a (merged) heading above it.
// Medicines resolve through access.MedicinesV1 (code, Model List wording,
// synonym, or drug + strength + form parsed from the text); an unknown one
// is an error with suggestions. A sector with no columns is a warning
// (sector_missing); blank or "-" cells are not given, never 0. Availability
// values that are all in [0, 1] with one strictly between are read as the
// fractions a percentage-formatted cell stores (a warning says so). A
// country-capacity answer is yes, no or don't know; a blank is not reported;
// rows of other indicators are skipped with one warning. Template(kind)
// returns a workbook for either kind.
//
// # Units
//
// Drug quantities are stored in grams of anhydrous base. The unit comes
// from a Unit column, the quantity's header ("Consumption (kg)", "kg"), or
// the title, units line or sheet name, in that order; kg, g, mg and t are
// known. A drug quantity with no unit anywhere is an error, not a guess. A
// salt named as the drug or in a Salt/Form column ("morphine sulfate
// pentahydrate") is converted with ParseInput.SaltBase; Consumption and
// Estimate record the conversion, e.g. "kg→g ×1000; morphine sulfate
// pentahydrate→base ×0.752 (salt-base v1)". Results are rounded to 12
// significant digits to drop floating-point noise. Population is stored in
// persons: WPP files and headers or titles that say "thousands" are
// multiplied by 1,000. Deaths are counts.
//
// # Numbers
//
// ParseNumber is strict: NaN, Inf, hex, underscores and any text are
// refused. Quantity cells are read as tables print them: thousands
// separators (comma, point, space, non-breaking or thin space),
// parentheses for negatives ("(1,234)"), a footnote marker after the
// number ("46,498 a", "12*") and, for drug quantities, a unit ("30 kg",
// which overrides the column's unit). A lone "1,234" or "1.234" is
// ambiguous: the locale given for the upload (ParseInput.Locale: dot or
// comma) decides; otherwise the rest of its column, then the file, does
// ("0.5" elsewhere in the column means a decimal point; several
// "46,498"-like values and nothing else mean thousands; in a workbook one
// such text value does, since a spreadsheet stores a typed decimal-comma
// number as a number); otherwise a semicolon-separated file reads a
// decimal comma; otherwise it is an error. The reading chosen is reported
// once (number_locale). In .xlsx files numbers are read raw, never as
// formatted. Negative quantities are refused. Years must lie in 1900–2100.
// Blank, "..", "NA" and "N/A" mean "not given" (no value, no record).
//
// INCB's "-" means nil or below the publication threshold (about 1 kg). It
// is recorded as 0 with a below_publication_threshold warning, everywhere
// and in every kind, so that a table with dashes gives the same numbers as
// the unrounded series it was published from (where the series reads 0).
// A consumed quantity keeps which of three things its cell held
// (access.Consumption.State): a number (reported), "-" (nil, 0 g) or a
// blank (not reported: a record whose other items are given has Grams nil;
// a blank cell of a wide table makes no record).
//
// # Problems
//
// Problems are data, addressed as the user sees the file: sheet, 1-based
// row (the CSV line number) and column letter. An error means a wrong
// number would be stored, and the caller must refuse the whole import if
// there is any: unparseable or negative numbers, invalid years, unknown
// countries, drugs, causes or units (with suggestions; see also
// ParseResult.Matches), a duplicate key with different values, rows for
// another country than ParseInput.Country, missing required columns, and
// cells, rows or columns beyond ParseInput.Limits. Warnings are reported and
// the import goes on: "-" recorded as 0, consumption under 1 kg (INCB
// rounding), a change of more than ×10 or ÷10 between consecutive years of
// one series, consumption above the total estimate when both are in one
// workbook, a stock balance that does not close (when the file gives stock,
// manufacture, imports, exports, consumption and utilization), a total
// estimate that matches neither a+b+c+d nor a+b+d, duplicate rows with
// equal values (the repeat is skipped), and rows with figures but no
// country (skipped).
//
// # Aggregates
//
// Publishers list groups of countries among countries. aggregates.csv, a
// versioned table embedded in the package, names them per publisher: World
// Bank regions, income and lending groups (every code of the CLASS
// workbook's composition sheet), WHO GHO regions, income groups and world
// (AFR, WB_LMI, GLOBAL, ME1, XX1…), Our World in Data's OWID_ codes and
// code-less regions, GBD regions, INCB region subtotals and Total rows, UN
// M49 regions (and WPP's codes from 900). A row naming one is skipped and
// counted; one warning per publisher lists them ("skipped 49 aggregate
// rows: Arab World, Euro area, … (World Bank aggregates, aggregate table
// v1)"). A name first resolves as a country: the Channel Islands (CHI,
// M49 830) and Kosovo (XKX) are countries. INCB subtotal and Total rows
// are checked against the sum of their countries (subtotal_mismatch when
// they differ by more than half the table's unit per country). Rows that
// are neither a country nor a known aggregate remain errors, with
// suggestions.
//
// # Problems listed
//
// At most 20,000 problems of each code are listed; the rest of a code are
// counted in one closing problem, so that no kind crowds out another.
// Problems quote the cell as typed ("30 kg", "46,498 a"), not the grams
// stored. access.GroupProblems shows a repeated problem once with its
// count and first cells for a summary.
//
// With ParseInput.Country set, a file without a country column is taken to
// be for that country, and so is a row whose country cells are blank.
//
// A panic while reading is recovered and returned as an access.Invalid
// error; a file over Limits.MaxBytes is an access.TooLarge error.
//
// Annotate returns the user's workbook with the problem cells coloured and
// commented and a Problems sheet; Template returns blank Form B- and Form
// C-style workbooks that this package imports.
package importers
