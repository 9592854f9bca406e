package bot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The session encoding, in order:
//
//	format byte (1)
//	state, lang, flow, step, pending, link: uvarint length + bytes each
//	misses: uvarint; consent, updated, since: varint (Unix seconds)
//	blocked: one byte, 0 or 1
//	vars: uvarint count, then key and value strings, keys sorted
//	back: uvarint count, then flow and step strings
//	seen (format 2): uvarint count, then per id 8 bytes of hash (little
//	endian) and a uvarint of how many seconds before updated it was seen
//	outbox, failed (format 3): one byte, 0 (none) or 1, then attempts:
//	uvarint; next, failed: varint; error: string; the replies: uvarint
//	count, then per reply text, lang, choose label, location label, from
//	operator: strings; ask location: one byte; options: uvarint count,
//	then id, label, message id; message ids: uvarint count, then strings
//	in (format 3, may be absent): varint, when the user last wrote
//
// Decoding converts the input to one string once and slices every field out
// of it, so a decode costs a handful of allocations whatever the session
// holds.

func (s *Session) appendTo(b []byte) []byte {
	b = append(b, sessionFormat)
	for _, f := range [...]string{s.State, s.Lang, s.Flow, s.Step, s.Pending, s.Link} {
		b = appendString(b, f)
	}
	b = binary.AppendUvarint(b, uint64(max(s.Misses, 0)))
	b = binary.AppendVarint(b, s.Consent)
	b = binary.AppendVarint(b, s.Updated)
	b = binary.AppendVarint(b, s.Since)
	if s.Blocked {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Vars)))
	if len(s.Vars) > 0 {
		var keys [16]string
		ks := keys[:0]
		for k := range s.Vars {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		for _, k := range ks {
			b = appendString(b, k)
			b = appendString(b, s.Vars[k])
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.Back)))
	for _, p := range s.Back {
		b = appendString(b, p.Flow)
		b = appendString(b, p.Step)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Seen)))
	for _, x := range s.Seen {
		b = binary.LittleEndian.AppendUint64(b, x.Hash)
		b = binary.AppendUvarint(b, uint64(max(s.Updated-x.At, 0)))
	}
	b = appendOutbox(b, s.Outbox)
	b = appendOutbox(b, s.Failed)
	b = binary.AppendVarint(b, s.In)
	if s.Sending == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, s.Sending.Token)
	return binary.AppendVarint(b, s.Sending.Until)
}

func appendOutbox(b []byte, o *Outbox) []byte {
	if o == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, o.Base)
	b = binary.AppendUvarint(b, uint64(max(o.Attempts, 0)))
	b = binary.AppendVarint(b, o.Next)
	b = binary.AppendVarint(b, o.Failed)
	b = appendString(b, o.Error)
	b = binary.AppendUvarint(b, uint64(len(o.Replies)))
	for _, r := range o.Replies {
		for _, f := range [...]string{r.Text, r.Lang, r.ChooseLabel, r.LocationLabel, r.FromOperator} {
			b = appendString(b, f)
		}
		// Flags: 1 asks for the location, 2 is a notice (a reader that knows
		// only the first reads a notice's 2 as "no location": no format
		// change needed).
		var flags byte
		if r.AskLocation {
			flags |= 1
		}
		if r.Notice {
			flags |= 2
		}
		b = append(b, flags)
		b = binary.AppendUvarint(b, uint64(len(r.Options)))
		for _, op := range r.Options {
			b = appendString(b, op.ID)
			b = appendString(b, op.Label)
			b = appendString(b, op.MessageID)
		}
		b = binary.AppendUvarint(b, uint64(len(r.MessageIDs)))
		for _, id := range r.MessageIDs {
			b = appendString(b, id)
		}
	}
	return b
}

func (d *decoder) outbox(format byte) *Outbox {
	if d.uvarint() != 1 || d.err != nil {
		return nil
	}
	var base uint64
	if format >= 4 {
		base = d.uvarint()
	}
	o := &Outbox{Base: base, Attempts: int(min(d.uvarint(), maxItems)), Next: d.varint(), Failed: d.varint(), Error: d.str()}
	n := d.count()
	if d.err != nil {
		return nil
	}
	o.Replies = make([]Reply, 0, n)
	for range n {
		r := Reply{Text: d.str(), Lang: d.str(), ChooseLabel: d.str(), LocationLabel: d.str(), FromOperator: d.str()}
		flags := d.uvarint()
		r.AskLocation, r.Notice = flags&1 != 0, flags&2 != 0
		if k := d.count(); k > 0 && d.err == nil {
			r.Options = make([]Option, k)
			for i := range r.Options {
				r.Options[i] = Option{ID: d.str(), Label: d.str(), MessageID: d.str()}
			}
		}
		if k := d.count(); k > 0 && d.err == nil {
			r.MessageIDs = make([]string, k)
			for i := range r.MessageIDs {
				r.MessageIDs[i] = d.str()
			}
		}
		if d.err != nil {
			return nil
		}
		o.Replies = append(o.Replies, r)
	}
	return o
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errTruncated = errors.New("truncated")

// maxItems bounds the counts read from stored data, so a corrupt length
// cannot make the decoder allocate gigabytes.
const maxItems = 1 << 12

type decoder struct {
	s   string
	err error
}

func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }

func (d *decoder) varint() int64 { return readVarint(d, binary.Varint) }

// readVarint reads one varint with read (binary.Uvarint or binary.Varint).
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read([]byte(d.s[:min(len(d.s), binary.MaxVarintLen64)]))
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.s = d.s[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.s)) {
		d.err = errTruncated
		return ""
	}
	v := d.s[:n]
	d.s = d.s[n:]
	return v
}

func (d *decoder) count() int {
	n := d.uvarint()
	if n > maxItems {
		d.err = fmt.Errorf("count %d too large", n)
		return 0
	}
	return int(n)
}

func (s *Session) decode(b []byte) error {
	if len(b) == 0 {
		return errTruncated
	}
	format := b[0]
	if format < 1 || format > sessionFormat {
		return fmt.Errorf("format %d, this version reads format %d", b[0], sessionFormat)
	}
	d := &decoder{s: string(b[1:])}
	s.State, s.Lang, s.Flow, s.Step, s.Pending, s.Link = d.str(), d.str(), d.str(), d.str(), d.str(), d.str()
	s.Misses = int(min(d.uvarint(), maxItems))
	s.Consent, s.Updated, s.Since = d.varint(), d.varint(), d.varint()
	s.Blocked = d.uvarint() == 1
	if n := d.count(); n > 0 && d.err == nil {
		s.Vars = make(map[string]string, n)
		for range n {
			k := d.str()
			s.Vars[k] = d.str()
		}
	}
	if n := d.count(); n > 0 && d.err == nil {
		s.Back = make([]Place, n)
		for i := range s.Back {
			s.Back[i] = Place{Flow: d.str(), Step: d.str()}
		}
	}
	if format >= 2 {
		if n := d.count(); n > 0 && d.err == nil {
			s.Seen = make([]SeenID, 0, n)
			for range n {
				if len(d.s) < 8 {
					d.err = errTruncated
					break
				}
				h := binary.LittleEndian.Uint64([]byte(d.s[:8]))
				d.s = d.s[8:]
				at := s.Updated - int64(min(d.uvarint(), 1<<40))
				if at > s.Updated { // wrapped below the smallest int64
					at = s.Updated
				}
				s.Seen = append(s.Seen, SeenID{Hash: h, At: at})
			}
		}
	}
	if format >= 3 {
		s.Outbox, s.Failed = d.outbox(format), d.outbox(format)
		if d.err == nil && d.s != "" {
			s.In = d.varint()
		}
	}
	if format >= 4 && d.uvarint() == 1 && d.err == nil {
		s.Sending = &Sending{Token: d.uvarint(), Until: d.varint()}
	}
	if d.err == nil && d.s != "" {
		d.err = fmt.Errorf("%d bytes after the end", len(d.s))
	}
	return d.err
}
