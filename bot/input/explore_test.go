package input

import (
	"fmt"
	"testing"
)

func TestExplore(t *testing.T) {
	for _, s := range []string{"ho 2 figli", "ho due figli", "sei", "I have one son", "1,5 anni", "12 anni e mezzo", "1 000", "1'000", "12½", "²", "①", "3 o 4 figli", "uno o due", "età: 34", "34 ans", "34 vjeç", "٣٤ سنة", "عندي ثلاثة أطفال", "三十四岁", "一些", "第一", "quatre vingt", "sept", "vingt-et-un", "neuf", "nove anni", "anni: 9", "un anno", "Unë kam 2 fëmijë", "una", "1990", "12:30", "+5", "5+", "5-", "- 5", "12-", "--3", "-3-"} {
		v, ok := Number(s)
		fmt.Printf("Number %q -> %v %v\n", s, v, ok)
	}
	for _, s := range []string{"Sì", "si certo", "yes i do", "I don't", "no i don't", "non ho figli", "si, ho due figli", "si ma non so", "Oui bien sûr", "non, merci", "ok grazie mille", "k", "s", "n", "la", "la2", "لا لا", "ايوا", "po po", "po jo", "jo po", "un po", "yes 👎", "🆗", "oki doki", "yep!", "Nein", "是的，我有", "没有问题", "不用了谢谢", "对不起我不知道", "ok ok", "not sure", "non è un problema", "nessun problema", "sure thing", "no?"} {
		y, ok := YesNo(s, "it")
		fmt.Printf("YesNo %q -> %v %v\n", s, y, ok)
	}
	for _, s := range []string{"1/1/1900", "31/12/1899", "12 03 15", "2015.03.12", "12/03/2015.", "12th March", "mar 12 2015", "12 MARZO 2015", "12 Mar. '15", "il 5 maggio 1985", "5 maj 1985", "5 mai 1985", "5 may 85", "ago 5 1985", "05/08/85", "5-8-1985", "8/5", "1985", "05081985", "19850805", "050885", "2015-3-12", "2015-12-03", "12 كانون 2015", "١٥ أيار ١٩٩٠", "15 mayo 1990", "15 May 1990 14:00", "2015年", "2015年3月", "十二日", "dopodomani", "明天下午", "今天", "nesër në mëngjes"} {
		d, ok := Date(s, now)
		fmt.Printf("Date %q -> %v %v\n", s, d.Format("2006-01-02"), ok)
	}
}
