package l10n

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Formats are the file formats Write and Read know.
var Formats = []string{"po", "xliff", "csv"}

// Header is what a file says of itself besides its texts.
type Header struct {
	Lang      string // the target language
	Reference string // the source language (en)
	Glossary  string // the glossary, for the translator's eyes
}

// Write writes units for translation in format (po, xliff or csv).
func Write(w io.Writer, format string, h Header, units []Unit) error {
	switch format {
	case "po":
		return writePO(w, h, units)
	case "xliff":
		return writeXLIFF(w, h, units)
	case "csv":
		return writeCSV(w, h, units)
	}
	return fmt.Errorf("unknown format %q (po, xliff, csv)", format)
}

// Read reads a file Write wrote, after a translator's tool filled it: the
// format is told by its content. Only Key and Text matter on the way back.
func Read(r io.Reader) (Header, []Unit, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return Header{}, nil, err
	}
	trimmed := bytes.TrimLeft(raw, "\ufeff \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<?xml")) || bytes.HasPrefix(trimmed, []byte("<xliff")):
		return readXLIFF(raw)
	case bytes.HasPrefix(trimmed, []byte("key,")) || bytes.HasPrefix(trimmed, []byte(`"key"`)):
		return readCSV(raw)
	default:
		return readPO(raw)
	}
}

// ---- gettext PO ----

func poQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// poField writes a keyword and its string, split after newlines the way
// gettext tools do.
func poField(w *bufio.Writer, kw, s string) {
	if !strings.Contains(s, "\n") || strings.Index(s, "\n") == len(s)-1 {
		fmt.Fprintf(w, "%s %s\n", kw, poQuote(s))
		return
	}
	fmt.Fprintf(w, "%s \"\"\n", kw)
	for _, part := range strings.SplitAfter(s, "\n") {
		if part != "" {
			fmt.Fprintln(w, poQuote(part))
		}
	}
}

func comment(w *bufio.Writer, prefix, s string) {
	for _, line := range strings.Split(s, "\n") {
		fmt.Fprintf(w, "%s %s\n", prefix, line)
	}
}

func writePO(out io.Writer, h Header, units []Unit) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "# teamsbot texts in %s, exported for translation from %s.\n", h.Lang, h.Reference)
	fmt.Fprintln(w, "# msgctxt is the text's key: leave it. Fill msgstr; keep {{...}} placeholders, URLs, numbers.")
	if h.Glossary != "" {
		comment(w, "# glossary:", h.Glossary)
	}
	fmt.Fprintln(w, `msgid ""`)
	fmt.Fprintln(w, `msgstr ""`)
	fmt.Fprintln(w, poQuote("Language: "+h.Lang+"\n"))
	fmt.Fprintln(w, poQuote("Content-Type: text/plain; charset=UTF-8\n"))
	fmt.Fprintln(w, poQuote("X-Source-Language: "+h.Reference+"\n"))
	for _, u := range units {
		fmt.Fprintln(w)
		comment(w, "#.", "where: "+u.Where)
		if u.Italian != "" {
			comment(w, "#.", "it: "+u.Italian)
		}
		if u.Limit > 0 {
			fmt.Fprintf(w, "#. limit: %d characters\n", u.Limit)
		}
		if u.List {
			fmt.Fprintf(w, "#. search words, separated by %q\n", Sep)
		}
		poField(w, "msgctxt", u.Key)
		poField(w, "msgid", u.Source)
		poField(w, "msgstr", u.Text)
	}
	return w.Flush()
}

func poUnquote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%s is not a quoted string", s)
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", errors.New("a string ends with a backslash")
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(s[i])
		default:
			return "", fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return b.String(), nil
}

func readPO(raw []byte) (Header, []Unit, error) {
	var (
		h     Header
		units []Unit
		cur   Unit
		field *string
		has   bool
		fuzzy bool
	)
	var ctx, id, str string
	flush := func() {
		if has && ctx == "" && id == "" {
			for _, line := range strings.Split(str, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					continue
				}
				switch strings.TrimSpace(k) {
				case "Language":
					h.Lang = strings.TrimSpace(v)
				case "X-Source-Language":
					h.Reference = strings.TrimSpace(v)
				}
			}
		} else if has {
			cur.Key, cur.Source, cur.Text = ctx, id, str
			if fuzzy {
				cur.Text = "" // a translator's "not sure yet" is not a translation
			}
			units = append(units, cur)
		}
		cur, ctx, id, str, field, has, fuzzy = Unit{}, "", "", "", nil, false, false
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#,"):
			if has && field == &str {
				flush()
			}
			fuzzy = strings.Contains(line, "fuzzy")
		case strings.HasPrefix(line, "#"):
			if has && field == &str {
				flush()
			}
		case strings.HasPrefix(line, `"`):
			if field == nil {
				return h, nil, fmt.Errorf("line %d: a string outside an entry", n)
			}
			s, err := poUnquote(line)
			if err != nil {
				return h, nil, fmt.Errorf("line %d: %w", n, err)
			}
			*field += s
		default:
			kw, rest, _ := strings.Cut(line, " ")
			s, err := poUnquote(rest)
			if err != nil {
				return h, nil, fmt.Errorf("line %d: %w", n, err)
			}
			switch kw {
			case "msgctxt":
				if has {
					flush()
				}
				ctx, field = s, &ctx
			case "msgid":
				if has && field == &str {
					flush()
				}
				id, field = s, &id
			case "msgstr":
				str, field = s, &str
			default:
				return h, nil, fmt.Errorf("line %d: %q is not a PO keyword this tool writes (msgctxt, msgid, msgstr)", n, kw)
			}
			has = true
		}
	}
	if err := sc.Err(); err != nil {
		return h, nil, err
	}
	flush()
	return h, units, nil
}

// ---- XLIFF 1.2 ----

type xliffFile struct {
	XMLName xml.Name `xml:"urn:oasis:names:tc:xliff:document:1.2 xliff"`
	Version string   `xml:"version,attr"`
	File    struct {
		Original string      `xml:"original,attr"`
		Source   string      `xml:"source-language,attr"`
		Target   string      `xml:"target-language,attr"`
		Datatype string      `xml:"datatype,attr"`
		Units    []xliffUnit `xml:"body>trans-unit"`
	} `xml:"file"`
}

type xliffUnit struct {
	ID       string      `xml:"id,attr"`
	MaxWidth int         `xml:"maxwidth,attr,omitempty"`
	SizeUnit string      `xml:"size-unit,attr,omitempty"`
	Source   string      `xml:"source"`
	Target   *xliffText  `xml:"target"`
	Notes    []xliffNote `xml:"note"`
}

type xliffText struct {
	State string `xml:"state,attr,omitempty"`
	Text  string `xml:",chardata"`
}

type xliffNote struct {
	From string `xml:"from,attr,omitempty"`
	Text string `xml:",chardata"`
}

func writeXLIFF(w io.Writer, h Header, units []Unit) error {
	var x xliffFile
	x.Version = "1.2"
	x.File.Original = "teamsbot"
	x.File.Source, x.File.Target, x.File.Datatype = h.Reference, h.Lang, "plaintext"
	for _, u := range units {
		xu := xliffUnit{ID: u.Key, Source: u.Source, Notes: []xliffNote{{From: "where", Text: u.Where}}}
		if u.Italian != "" {
			xu.Notes = append(xu.Notes, xliffNote{From: "it", Text: u.Italian})
		}
		if u.List {
			xu.Notes = append(xu.Notes, xliffNote{From: "list", Text: fmt.Sprintf("search words, separated by %q", Sep)})
		}
		if u.Limit > 0 {
			xu.MaxWidth, xu.SizeUnit = u.Limit, "char"
		}
		if u.Text != "" {
			xu.Target = &xliffText{State: "translated", Text: u.Text}
		} else {
			xu.Target = &xliffText{State: "new"}
		}
		x.File.Units = append(x.File.Units, xu)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func readXLIFF(raw []byte) (Header, []Unit, error) {
	var x xliffFile
	if err := xml.Unmarshal(raw, &x); err != nil {
		return Header{}, nil, fmt.Errorf("XLIFF: %w", err)
	}
	if x.Version != "1.2" {
		return Header{}, nil, fmt.Errorf("XLIFF version %q: this tool reads 1.2", x.Version)
	}
	h := Header{Lang: x.File.Target, Reference: x.File.Source}
	var units []Unit
	for _, xu := range x.File.Units {
		u := Unit{Key: xu.ID, Source: xu.Source}
		if xu.Target != nil && xu.Target.State != "new" && xu.Target.State != "needs-translation" {
			u.Text = xu.Target.Text
		}
		units = append(units, u)
	}
	return h, units, nil
}

// ---- CSV (a spreadsheet) ----

var csvHead = []string{"key", "lang", "source", "italian", "translation", "limit", "where"}

func writeCSV(out io.Writer, h Header, units []Unit) error {
	w := csv.NewWriter(out)
	if err := w.Write(csvHead); err != nil {
		return err
	}
	for _, u := range units {
		lim := ""
		if u.Limit > 0 {
			lim = strconv.Itoa(u.Limit)
		}
		if err := w.Write([]string{u.Key, h.Lang, u.Source, u.Italian, u.Text, lim, u.Where}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func readCSV(raw []byte) (Header, []Unit, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return Header{}, nil, fmt.Errorf("CSV: %w", err)
	}
	if len(rows) == 0 {
		return Header{}, nil, errors.New("CSV: empty")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[strings.TrimSpace(name)] = i
	}
	for _, need := range []string{"key", "lang", "translation"} {
		if _, ok := col[need]; !ok {
			return Header{}, nil, fmt.Errorf("CSV: no %q column (the first row names the columns: %s)", need, strings.Join(csvHead, ","))
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	var h Header
	var units []Unit
	for n, row := range rows[1:] {
		lang := get(row, "lang")
		if h.Lang == "" {
			h.Lang = lang
		} else if lang != h.Lang {
			return h, nil, fmt.Errorf("CSV row %d: language %q, but the file is for %q: one language per file", n+2, lang, h.Lang)
		}
		units = append(units, Unit{Key: get(row, "key"), Source: get(row, "source"), Text: get(row, "translation")})
	}
	return h, units, nil
}
