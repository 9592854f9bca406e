package input

import "testing"

func BenchmarkNumber(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"digits", "12"},
		{"sentence", "Ho 12 anni"},
		{"arabic", "عمري ١٢ سنة"},
		{"words", "vingt et un"},
		{"chinese", "我十二岁"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lex.Number(bc.in)
			}
		})
	}
}

func BenchmarkInteger(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		lex.Integer("12 anni")
	}
}

func BenchmarkYesNo(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"si", "si"},
		{"accent", "Sì, grazie!"},
		{"arabic", "نعم شكرا"},
		{"chinese", "好的，谢谢"},
		{"unsure", "non lo so"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lex.YesNo(bc.in, "it")
			}
		})
	}
}

func BenchmarkDate(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"numeric", "12/03/2015"},
		{"month", "12 marzo 2015"},
		{"arabic", "١٢ مارس ٢٠١٥"},
		{"chinese", "2015年3月12日"},
		{"relative", "domani"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lex.Date(bc.in, now)
			}
		})
	}
}

func BenchmarkPhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Phone("+39 333 123 4567")
	}
}

func BenchmarkText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Text("Via Roma 1\nFirenze", 1, 0)
	}
}

func BenchmarkEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Email("mario.rossi@example.com")
	}
}

// BenchmarkLong is the worst case the bound allows: a 10,000-character
// answer to every parser.
func BenchmarkLong(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		lex.Number(long)
		lex.YesNo(long, "it")
		lex.Date(long, now)
		Phone(long)
		Text(long, 1, 0)
	}
}
