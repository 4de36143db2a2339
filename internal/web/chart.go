package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are SVG written here, sized by a viewBox so that the
// stylesheet scales them; colours and strokes come from classes. Each has a
// <title> and <desc> and is followed on the page by the table of its data.

const (
	chartW, chartH         = 640, 300
	padL, padR, padT, padB = 64, 16, 30, 36
)

// point is one value of a series; Y nil is a gap in the line.
type point struct {
	X int
	Y *float64
}

// series is one line of a line chart.
type series struct {
	Name   string
	Class  string // e.g. "s0", "need", "benchmark"
	Points []point
}

// lineChart draws series over integer X (years), on a log10 Y scale when
// Log (the figures span orders of magnitude between countries).
type lineChart struct {
	ID, Title, Desc, YLabel string
	Log                     bool
	Series                  []series
	// format writes a tick label.
	format func(float64) string
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func (c lineChart) SVG() template.HTML {
	minX, maxX := math.MaxInt, math.MinInt
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			minX, maxX = min(minX, p.X), max(maxX, p.X)
			if p.Y != nil && (!c.Log || *p.Y > 0) {
				minY, maxY = math.Min(minY, *p.Y), math.Max(maxY, *p.Y)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	if minX > maxX || math.IsInf(minY, 1) {
		fmt.Fprintf(&b, `<text class="empty" x="%d" y="%d">—</text></svg>`, chartW/2, chartH/2)
		return template.HTML(b.String())
	}
	if minX == maxX {
		minX, maxX = minX-1, maxX+1
	}
	var ticks []float64
	var ty func(float64) float64
	plotH := float64(chartH - padT - padB)
	if c.Log {
		lo, hi := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
		if lo == hi {
			hi++
		}
		ty = func(y float64) float64 { return padT + plotH*(1-(math.Log10(y)-lo)/(hi-lo)) }
		for e := lo; e <= hi; e++ {
			ticks = append(ticks, math.Pow(10, e))
		}
	} else {
		hi := niceCeil(maxY)
		if hi <= 0 {
			hi = 1
		}
		ty = func(y float64) float64 { return padT + plotH*(1-y/hi) }
		for i := 0; i <= 4; i++ {
			ticks = append(ticks, hi*float64(i)/4)
		}
	}
	plotW := float64(chartW - padL - padR)
	tx := func(x int) float64 { return padL + plotW*float64(x-minX)/float64(maxX-minX) }
	// Axes and grid.
	b.WriteString(`<g class="grid">`)
	for _, t := range ticks {
		y := ty(t)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, y, y)
	}
	b.WriteString(`</g><g class="axis">`)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<text class="ytick" x="%d" y="%.1f">%s</text>`, padL-6, ty(t)+4, esc(c.format(t)))
	}
	step := max(1, (maxX-minX+7)/8)
	for x := minX; x <= maxX; x += step {
		fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%d">%d</text>`, tx(x), chartH-padB+18, x)
	}
	fmt.Fprintf(&b, `<text class="ylabel" x="4" y="%d">%s</text>`, 14, esc(c.YLabel))
	b.WriteString(`</g>`)
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<g class="series %s"><title>%s</title>`, esc(s.Class), esc(s.Name))
		var path strings.Builder
		pen := false
		for _, p := range s.Points {
			if p.Y == nil || (c.Log && *p.Y <= 0) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f", cmd, tx(p.X), ty(*p.Y))
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path d="%s"/>`, path.String())
		}
		for _, p := range s.Points {
			if p.Y != nil && (!c.Log || *p.Y > 0) {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3"><title>%s %d: %s</title></circle>`, tx(p.X), ty(*p.Y), esc(s.Name), p.X, esc(c.format(*p.Y)))
			}
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// bar is one bar of a bar chart; Value is its length, Text its label.
type bar struct {
	Label, Text, Class string
	Value              float64
}

// barChart draws horizontal bars scaled to the largest (or to Max).
type barChart struct {
	ID, Title, Desc string
	Max             float64
	Bars            []bar
}

func (c barChart) SVG() template.HTML {
	const rowH, labelW, textW = 28, 230, 190
	h := rowH*len(c.Bars) + 8
	mx := c.Max
	for _, b := range c.Bars {
		mx = math.Max(mx, b.Value)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, chartW, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	plotW := float64(chartW - labelW - textW)
	for i, br := range c.Bars {
		y := 4 + i*rowH
		w := 0.0
		if mx > 0 {
			w = plotW * br.Value / mx
		}
		fmt.Fprintf(&b, `<text class="blabel" x="%d" y="%d">%s</text>`, labelW-8, y+18, esc(br.Label))
		fmt.Fprintf(&b, `<rect class="bar %s" x="%d" y="%d" width="%.1f" height="%d"><title>%s: %s</title></rect>`, esc(br.Class), labelW, y+4, w, rowH-8, esc(br.Label), esc(br.Text))
		fmt.Fprintf(&b, `<text class="bvalue" x="%.1f" y="%d">%s</text>`, float64(labelW)+w+6, y+18, esc(br.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
