// Package importers turns uploaded spreadsheets into domain records and
// row-level problems: bytes in, access records and access.Problem values
// out. It knows no database and no HTTP; Parser implements access.Parser.
//
// # Files
//
// .xlsx workbooks are streamed row by row (excelize's Rows iterator, with
// unzip limits); every worksheet is searched for a table and sheets without
// one (instructions, notes) are passed over. .csv and .tsv files are
// streamed with encoding/csv; the delimiter (comma, semicolon or tab) is
// sniffed, a UTF-8 byte order mark is dropped, UTF-16 with a byte order
// mark is decoded, and text that is not valid UTF-8 is read as
// Windows-1252. CRLF and LF line ends are both read.
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
//	                      from the sheet name or title (one sheet per drug)
//	incb-wide-drugs       countries down, drugs across; the year from a column,
//	                      the title or the sheet name
//	estimates-long        Form B: Country, Year, Drug, Kind, Status, Unit, (a)–(d), Total
//	estimates-wide-years, estimates-wide-drugs
//	wpp                   UN World Population Prospects: thousands (by sex or total)
//	wdi-long, wdi-wide    World Bank WDI: persons; Country Name, Country Code, Year, Value
//	                      or the bulk layout with Indicator Name/Code and years across
//	population-long, population-wide-years
//	deaths-long           Country, Year, Cause, Deaths
//	deaths-wide           one column per cause (deaths_neoplasms, ...)
//	owid-gbd              Our World in Data / GBD: "Deaths - Neoplasms - Sex: Both -
//	                      Age: All Ages (Number)"; rate, share and subgroup columns ignored
//	deaths-wide-years
//	countries-reference   ISO3 with who_region and wb_ig_YYYY columns
//	who-gho               WHO GHO export: DimensionMemberCode, WHO_REGION_CODE,
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
// refused. Thousands separators are read only where unambiguous ("1,234,567",
// "1 234,5"); a lone "1,234" is an error unless the file is
// semicolon-separated (a decimal-comma locale: 1.234) — in .xlsx files
// numbers are read raw, never as formatted. Negative quantities are refused.
// Years must lie in 1900–2100. Blank, "..", "NA" and "N/A" mean "not
// given" (no value, no record).
//
// INCB's "-" means nil or below the publication threshold (about 1 kg). It
// is recorded as 0 with a below_publication_threshold warning, everywhere
// and in every kind, so that a table with dashes gives the same numbers as
// the unrounded series it was published from (where the series reads 0).
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
// country (skipped). Aggregates (World, regions, income groups; World Bank
// rows with an empty Region) and areas without an ISO code (Channel Islands)
// are skipped without a problem and listed in Matches with method
// "aggregate" or "no-iso-code".
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
