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
// Availability and affordability (availability.go, availability_figures.go).
// Consumption says how much reached a country's retail level, not whether a
// patient finds morphine in a clinic or can pay for it. Two more kinds of
// observation say that. A WHO/HAI facility survey row (KindAvailability)
// gives, for one medicine (a code of the versioned vocabulary MedicinesV1,
// which follows the WHO Model List of Essential Medicines and maps each
// medicine to the drug code consumption uses) and one sector (public,
// private, other), the share of surveyed facilities that had it in stock on
// the day of the visit, the number of facilities surveyed, the median price
// ratio against a named international reference price of a named year, and,
// where the survey gives them, the median unit price and the daily wage of
// the lowest-paid unskilled government worker. A country-capacity record
// (KindCCS) is the WHO NCD country capacity survey's answer (yes, no, don't
// know) to "is oral morphine generally available in public primary care
// facilities?" in one survey year.
//
// Affordability follows the WHO/HAI convention (a treatment course's cost
// in days' wages of the lowest-paid unskilled government worker; a chronic
// condition's course is 30 days), for oral morphine only (AffordabilityV1):
//
//	days' wages = median unit price × (60 mg ÷ mg per unit) × 30 ÷ daily wage
//
// Assumptions: 60 mg of oral morphine a day (10 mg every four hours, a usual
// starting regimen; not a WHO/HAI figure); price and wage in the same
// currency, from the same survey and sector; mg per unit from the
// vocabulary (a 10 mg tablet is 10, oral liquid 10 mg/5 ml is 2 per ml).
// Without a price or a positive wage the figure is null.
//
// Figures use the latest survey year's rows and the latest answer. A survey
// more than five years older than the figures' last year is flagged
// survey_older_than_5_years (ccs_older_than_5_years for an answer); a
// country without a survey has availability null and the flag
// no_availability_survey (no_ccs_answer without an answer). Group figures
// count the member countries by their latest answer up to the group's year
// (yes, no, dont_know, no_answer) and sum the population behind each.
//
// The package imports only the standard library; the store, HTTP and
// spreadsheet adapters depend on it, never the other way round.
package access
