package nlu

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
)

// The saved form of a trained classifier and language detector, so that a
// process started again on the same content reads them instead of training
// (understand keeps them by a digest of what they were trained from). The
// file is little-endian, versioned by its magic, and ends with the SHA-256
// of what comes before: a truncated or altered file is refused, never half
// read.
var magic = []byte("teamsbot-nlu\x00v1\n")

// ErrSaved is wrapped by ReadSaved's errors: the file is not a saved
// model of this version, or it is damaged.
var ErrSaved = errors.New("nlu: not a saved model of this version, or damaged")

// maxSaved bounds what ReadSaved accepts (today's model is ~17 MB).
const maxSaved = 512 << 20

// WriteSaved writes m and l (l may be nil) to w, buffered, hashing as it
// goes.
func WriteSaved(w io.Writer, m *Model, l *LangID) error {
	h := sha256.New()
	b := bufio.NewWriter(io.MultiWriter(w, h))
	b.Write(magic)
	e := encoder{w: b}
	e.strings(m.intents)
	e.u64s(byRow(m.vocab))
	e.f32s(m.idf)
	e.f32s(m.w)
	e.f32s(m.b)
	e.strings(slices.Sorted(maps.Keys(m.fuzzy.words)))
	e.u64(uint64(m.examples))
	if l == nil {
		l = &LangID{}
	}
	e.strings(l.langs)
	e.u64s(byRow(l.index))
	e.f32s(l.logp)
	e.f32s(l.miss)
	if err := b.Flush(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
	return err
}

// ReadSaved reads what WriteSaved wrote. opts must be the options the
// model was trained with (they are not saved: the caller keys the file by
// them).
func ReadSaved(r io.Reader, opts Options) (*Model, *LangID, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSaved+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxSaved || len(data) < len(magic)+sha256.Size || !bytes.HasPrefix(data, magic) {
		return nil, nil, ErrSaved
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, nil, ErrSaved
	}
	d := decoder{b: body[len(magic):]}
	opts.defaults()
	m := &Model{opts: opts, ex: newExtractor(opts.Features, opts.Stop, opts.Concepts)}
	m.intents = d.strings()
	hs := d.u64s()
	m.idf = d.f32s()
	m.w = d.f32s()
	m.b = d.f32s()
	words := d.strings()
	m.examples = int(d.u64())
	l := &LangID{langs: d.strings()}
	keys := d.u64s()
	l.logp = d.f32s()
	l.miss = d.f32s()
	C := len(m.intents)
	switch {
	case d.err != nil || len(d.b) != 0:
		return nil, nil, fmt.Errorf("%w: %v", ErrSaved, d.err)
	case C < 2 || len(hs) != len(m.idf) || len(m.w) != len(m.idf)*C || len(m.b) != C,
		len(l.logp) != len(keys)*len(l.langs) || len(l.miss) != len(l.langs):
		return nil, nil, fmt.Errorf("%w: sizes do not agree", ErrSaved)
	}
	m.vocab = rows(hs)
	m.fuzzy = newFuzzyIndex(words)
	l.index = rows(keys)
	if len(l.langs) == 0 {
		l = nil
	}
	return m, l, nil
}

// byRow lists the features of an index (feature → row, rows 0..n-1) in
// row order; rows is its inverse.
func byRow(index map[uint64]int32) []uint64 {
	out := make([]uint64, len(index))
	for h, row := range index {
		out[row] = h
	}
	return out
}

func rows(features []uint64) map[uint64]int32 {
	index := make(map[uint64]int32, len(features))
	for row, h := range features {
		index[h] = int32(row)
	}
	return index
}

// encoder writes to a buffered writer, whose first error sticks (Flush
// reports it).
type encoder struct {
	w   *bufio.Writer
	buf [8]byte
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:], v)
	e.w.Write(e.buf[:])
}

func (e *encoder) u64s(vs []uint64) {
	e.u64(uint64(len(vs)))
	for _, v := range vs {
		e.u64(v)
	}
}

func (e *encoder) f32s(vs []float32) {
	e.u64(uint64(len(vs)))
	for _, v := range vs {
		binary.LittleEndian.PutUint32(e.buf[:4], math.Float32bits(v))
		e.w.Write(e.buf[:4])
	}
}

func (e *encoder) strings(ss []string) {
	e.u64(uint64(len(ss)))
	for _, s := range ss {
		e.u64(uint64(len(s)))
		e.w.WriteString(s)
	}
}

// decoder reads what encoder wrote; the first error sticks and later
// reads return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = io.ErrUnexpectedEOF
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// count reads a length, refusing one that cannot fit in what is left
// (each item takes at least size bytes).
func (d *decoder) count(size uint64) int {
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b))/size {
		d.err = io.ErrUnexpectedEOF
		return 0
	}
	return int(n)
}

func (d *decoder) u64s() []uint64 {
	out := make([]uint64, d.count(8))
	for i := range out {
		out[i] = d.u64()
	}
	return out
}

func (d *decoder) f32s() []float32 {
	n := d.count(4)
	p := d.take(uint64(4 * n))
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return out
}

func (d *decoder) strings() []string {
	out := make([]string, d.count(8))
	for i := range out {
		out[i] = string(d.take(d.u64()))
	}
	return out
}
