package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strings"
	"sync"

	"github.com/reliefgap/reliefgap/internal/access"
)

// countries110m is Natural Earth's 1:110m country shapes as TopoJSON, from
// the world-atlas package (see mapdata/LICENSE.md).
//
//go:embed mapdata/countries-110m.json
var countries110m []byte

// mapShape is one country's outline, projected: an SVG path in a
// mapW × mapH box.
type mapShape struct {
	Numeric string // ISO 3166-1 numeric, "" for the few features without one
	Name    string
	D       string
}

const mapW = 960

var (
	mapOnce   sync.Once
	mapShapes []mapShape
	mapH      int
	mapErr    error
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []struct {
				Type       string          `json:"type"`
				ID         string          `json:"id"`
				Arcs       json.RawMessage `json:"arcs"`
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

// equalEarth projects longitude and latitude in degrees (Šavrič, Patterson
// and Jenny 2018); x in ±2.7066, y in ±1.3173, north up.
func equalEarth(lon, lat float64) (x, y float64) {
	const a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
	l, p := lon*math.Pi/180, lat*math.Pi/180
	t := math.Asin(math.Sqrt(3) / 2 * math.Sin(p))
	t2 := t * t
	t6 := t2 * t2 * t2
	x = 2 * math.Sqrt(3) * l * math.Cos(t) / (3 * (9*a4*t6*t2 + 7*a3*t6 + 3*a2*t2 + a1))
	y = t * (a4*t6*t2 + a3*t6 + a2*t2 + a1)
	return x, y
}

// loadMap decodes the topology once: arcs are delta-encoded quantized
// positions; a ring lists arc indexes, ~i meaning arc i reversed.
func loadMap() ([]mapShape, int, error) {
	var topo topology
	if err := json.Unmarshal(countries110m, &topo); err != nil {
		return nil, 0, err
	}
	const ex, ey = 2.7066, 1.3173
	scale := mapW / (2 * ex)
	height := int(math.Ceil(2 * ey * scale))
	arcs := make([][][2]float64, len(topo.Arcs)) // lon, lat
	for i, arc := range topo.Arcs {
		var qx, qy float64
		for _, d := range arc {
			qx, qy = qx+d[0], qy+d[1]
			arcs[i] = append(arcs[i], [2]float64{qx*topo.Transform.Scale[0] + topo.Transform.Translate[0], qy*topo.Transform.Scale[1] + topo.Transform.Translate[1]})
		}
	}
	ring := func(idx []int, b *strings.Builder) {
		var ll [][2]float64
		for k, a := range idx {
			var seg [][2]float64
			if a >= 0 {
				seg = arcs[a]
			} else {
				src := arcs[^a]
				for j := len(src) - 1; j >= 0; j-- {
					seg = append(seg, src[j])
				}
			}
			if k > 0 && len(seg) > 0 {
				seg = seg[1:]
			}
			ll = append(ll, seg...)
		}
		// A ring that crosses the antimeridian (Russia, Fiji) is drawn
		// whole east of it: its western part runs off the map's edge.
		for i := 1; i < len(ll); i++ {
			if math.Abs(ll[i][0]-ll[i-1][0]) > 180 {
				for j := range ll {
					if ll[j][0] < 0 {
						ll[j][0] += 360
					}
				}
				break
			}
		}
		var pts [][2]int
		for _, q := range ll {
			x, y := equalEarth(q[0], q[1])
			p := [2]int{int(math.Round((x + ex) * scale)), int(math.Round((ey - y) * scale))}
			if n := len(pts); n == 0 || pts[n-1] != p {
				pts = append(pts, p)
			}
		}
		if len(pts) < 3 {
			return
		}
		for i, p := range pts {
			if i == 0 {
				fmt.Fprintf(b, "M%d %d", p[0], p[1])
			} else {
				fmt.Fprintf(b, "L%d %d", p[0], p[1])
			}
		}
		b.WriteString("Z")
	}
	var out []mapShape
	for _, g := range topo.Objects.Countries.Geometries {
		if g.ID == "010" { // Antarctica: no data, and most of the map
			continue
		}
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, 0, err
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, 0, err
			}
		default:
			continue
		}
		var b strings.Builder
		for _, p := range polys {
			for _, r := range p {
				ring(r, &b)
			}
		}
		out = append(out, mapShape{Numeric: g.ID, Name: g.Properties.Name, D: b.String()})
	}
	// Antarctica removed, the box can end above it.
	return out, int(float64(height) * 0.87), nil
}

// worldMap draws the countries coloured by adequacy band. It is a picture
// (role img) with a title and description; the band table and rankings on
// the same page carry the same figures as text.
func (s *Site) worldMap(v *view, p access.WorldPicture, numeric map[string]string) template.HTML {
	mapOnce.Do(func() { mapShapes, mapH, mapErr = loadMap() })
	if mapErr != nil {
		s.log.Error("world map", "err", mapErr)
		return ""
	}
	band := map[string]*string{} // numeric → band
	hasRow := map[string]bool{}  // numeric → has a row for the year
	for iso, a := range p.Adequacy {
		if n := numeric[iso]; n != "" {
			band[n], hasRow[n] = a, true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map" viewBox="0 0 %d %d" role="img" aria-labelledby="map-t map-d" xmlns="http://www.w3.org/2000/svg">`, mapW, mapH)
	fmt.Fprintf(&b, `<title id="map-t">%s</title><desc id="map-d">%s</desc>`, esc(v.T("home.map.title")), esc(v.T("home.map.desc")))
	for _, sh := range mapShapes {
		class := "band-none"
		label := sh.Name
		if hasRow[sh.Numeric] {
			class = v.BandClass(band[sh.Numeric])
			label = sh.Name + ": " + v.Band(band[sh.Numeric])
		}
		fmt.Fprintf(&b, `<path class="%s" d="%s"><title>%s</title></path>`, class, sh.D, esc(label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
