package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
)

// Cell is how a count is shown: the number, or "<5".
func Cell(n int64, shown bool) string {
	if !shown {
		return fmt.Sprintf("<%d", MinCell)
	}
	return strconv.FormatInt(n, 10)
}

// WriteCSV writes one row per section and value: section, value, count
// (blank when suppressed), shown ("<5" rows are listed, their count is not).
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"from", "to", "section", "value", "count", "suppressed"})
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			count, supp := strconv.FormatInt(row.Count, 10), "false"
			if !row.Shown {
				count, supp = "", "true"
			}
			cw.Write([]string{r.From, r.To, s.Key, row.Value, count, supp})
		}
		total, supp := strconv.FormatInt(s.Total, 10), "false"
		if !s.TotalShown {
			total, supp = "", "true"
		}
		cw.Write([]string{r.From, r.To, s.Key, "(total)", total, supp})
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the report with suppressed counts removed.
func WriteJSON(w io.Writer, r Report) error {
	type row struct {
		Value string `json:"value"`
		Count *int64 `json:"count"`
	}
	type section struct {
		Key   string `json:"key"`
		Title string `json:"title"`
		Rows  []row  `json:"rows"`
		Total *int64 `json:"total"`
	}
	out := struct {
		From, To string
		MinCell  int       `json:"min_cell"`
		Sections []section `json:"sections"`
	}{From: r.From, To: r.To, MinCell: MinCell}
	for _, s := range r.Sections {
		sec := section{Key: s.Key, Title: s.Title, Rows: []row{}}
		for _, x := range s.Rows {
			rw := row{Value: x.Value}
			if x.Shown {
				n := x.Count
				rw.Count = &n
			}
			sec.Rows = append(sec.Rows, rw)
		}
		if s.TotalShown {
			n := s.Total
			sec.Total = &n
		}
		out.Sections = append(out.Sections, sec)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>teamsbot — figures {{.From}} to {{.To}}</title>
<style>
body{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:56rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:start}
td.n{text-align:end;font-variant-numeric:tabular-nums}svg text{font-size:12px;fill:#1a1a1a}
.note{color:#444;font-size:.9rem}
</style></head>
<body>
<h1>teamsbot — the programme's figures, {{.From}} to {{.To}}</h1>
{{if .Empty}}<p><strong>No figures were recorded in this period.</strong></p>{{end}}
<p class="note">Counted as things happened, per day, without reading any conversation; no count names a person. Numbers under {{.Min}} are shown as “&lt;{{.Min}}” so that nobody can be recognised; totals are the true sums.</p>
{{range .Sections}}
<h2>{{.Title}}</h2>
{{if .Bars}}<svg role="img" aria-label="{{.Title}}" width="640" height="{{.Height}}" viewBox="0 0 640 {{.Height}}">
{{range .Bars}}<text x="0" y="{{.TextY}}">{{.Label}}</text><rect x="240" y="{{.Y}}" width="{{.Width}}" height="16" fill="#0b5cad"></rect><text x="{{.CellX}}" y="{{.TextY}}">{{.Cell}}</text>
{{end}}</svg>{{end}}
<table><thead><tr><th>value</th><th>count</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Value}}</td><td class="n">{{.Cell}}</td></tr>{{else}}<tr><td colspan="2">none</td></tr>{{end}}
<tr><th>total</th><td class="n">{{.Total}}</td></tr></tbody></table>
{{end}}
</body></html>
`))

// WriteHTML writes one self-contained page with a bar chart per section
// (SVG, no script, no request to anywhere).
func WriteHTML(w io.Writer, r Report) error {
	type htmlBar struct {
		Label, Cell            string
		Y, TextY, Width, CellX int
	}
	type htmlRow struct{ Value, Cell string }
	type htmlSection struct {
		Title  string
		Bars   []htmlBar
		Height int
		Rows   []htmlRow
		Total  string
	}
	data := struct {
		From, To string
		Min      int
		Empty    bool
		Sections []htmlSection
	}{From: r.From, To: r.To, Min: MinCell, Empty: r.Empty()}
	for _, s := range r.Sections {
		hs := htmlSection{Title: s.Title, Total: Cell(s.Total, s.TotalShown)}
		var max int64 = 1
		for _, row := range s.Rows {
			if row.Shown && row.Count > max {
				max = row.Count
			}
		}
		for i, row := range s.Rows {
			hs.Rows = append(hs.Rows, htmlRow{row.Value, Cell(row.Count, row.Shown)})
			if i >= 15 {
				continue
			}
			width := 0
			if row.Shown {
				width = int(330 * row.Count / max)
			}
			label := row.Value
			if len([]rune(label)) > 34 {
				label = string([]rune(label)[:33]) + "…"
			}
			hs.Bars = append(hs.Bars, htmlBar{Label: label, Cell: Cell(row.Count, row.Shown), Y: 4 + 22*i, TextY: 16 + 22*i, Width: width, CellX: 246 + width})
		}
		hs.Height = 8 + 22*len(hs.Bars)
		data.Sections = append(data.Sections, hs)
	}
	return page.Execute(w, data)
}
