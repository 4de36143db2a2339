package importers

// sheetLayout is one way of reading a worksheet (or a CSV file's only
// sheet). Publishers whose tables the general reader cannot map (a layout
// with codes instead of quantities, fiscal years across, several header
// rows) get a sheetLayout of their own, in their own file, and one line in
// sheetLayouts.
type sheetLayout struct {
	// name is what ParseResult.Layout reports when the layout names itself;
	// the general reader reports the layout of the table it found.
	name string
	// match looks at the sheet's first rows (sh.head) and its name; it must
	// not consume sh.next.
	match func(r *run, sh *sheetRows) bool
	// read reads the whole sheet: sh.head, then sh.next until it is done.
	read func(r *run, sh *sheetRows) error
}

// A layout's read function has the run's helpers at hand: r.resolveCountry
// (countries, known aggregates and suggestions), r.skipped.add (the
// aggregate summary), r.ignored.add (series not mapped), r.errorAt and
// r.warnAt (problems at a cell), r.add (emit records in batches), and
// r.tables, r.rows, r.kind and r.layouts to account for what it read. It
// must stop at sh.next's end, honour r.lim.MaxRows and never panic.
//
// sheetLayouts are tried in order on every sheet; the first whose match
// reports true reads it. The general table reader comes last and takes
// every sheet the others leave.
var sheetLayouts = []sheetLayout{
	{name: "table", match: anySheet, read: (*run).tableSheet},
}

func anySheet(*run, *sheetRows) bool { return true }
