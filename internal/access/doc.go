// Package access is the reliefgap domain: countries, drugs, versioned factor
// tables, the observations a country reports (consumption statistics, Form B
// estimates) and the reference series it is compared against (population,
// deaths by cause), the uploads those observations came from, and the pure
// arithmetic that turns them into access-gap figures.
//
// Units. Every controlled-drug quantity is held in grams of anhydrous base,
// as the International Narcotics Control Board (INCB) counts them; a salt
// form is converted with the salt→base fractions of a factor table before it
// becomes an observation. Population is in persons. Morphine equivalence is
// in milligrams. See docs/METHODOLOGY.md for every formula and the sources
// of every factor; the factors themselves are data (FactorTable), never constants in
// code, and every computed figure records the table versions that made it.
//
// The package imports only the standard library; the store, HTTP and
// spreadsheet adapters depend on it, never the other way round.
package access
