package views

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ctop-like/ctop-like/internal/termtext"
)

// NA is what a value that does not apply looks like on screen and in tables.
const NA = "n/a"

// Format renders a value the way a person reads it: 12.5%, 1.2G, 340K/s.
// The screen and `-o table` both use it.
func Format(c Column, v any) string {
	if v == nil {
		return NA
	}
	switch x := v.(type) {
	case string:
		if c.Escapes {
			return termtext.Line(termtext.StripSequences(x), 0)
		}
		if c.Clip > 0 && len(x) > c.Clip && !strings.Contains(x, "/") {
			// An id is clipped like docker ps does; a raw cgroup's id is
			// its path, which only reads whole.
			return x[:c.Clip]
		}
		return x
	case float64:
		switch c.Unit {
		case UnitPct:
			return strconv.FormatFloat(x, 'f', 1, 64)
		case UnitBytes:
			return HumanBytes(x)
		case UnitBps:
			return HumanBytes(x) + "/s"
		case UnitPerSec:
			return shortNumber(x)
		case UnitSeconds:
			return Duration(x)
		default:
			if x == math.Trunc(x) && math.Abs(x) < 1e15 {
				return strconv.FormatInt(int64(x), 10)
			}
			return strconv.FormatFloat(x, 'f', 1, 64)
		}
	}
	return fmt.Sprint(v)
}

// HumanBytes is top's style: 1023B, 1.0K, 340K, 1.2M, 12G (powers of 1024).
func HumanBytes(b float64) string {
	return string(appendHumanBytes(make([]byte, 0, 8), b, "BKMGTPE"))
}

// appendHumanBytes appends x in HumanBytes' style to b, with units the
// unit letters from bytes up ("BKMGTPE", or lower-case for a search).
func appendHumanBytes(b []byte, x float64, units string) []byte {
	i := 0
	for math.Abs(x) >= 1024 && i < len(units)-1 {
		x /= 1024
		i++
	}
	switch {
	case i == 0:
		return append(strconv.AppendFloat(b, x, 'f', 0, 64), units[0])
	case math.Abs(x) < 10:
		return append(strconv.AppendFloat(b, x, 'f', 1, 64), units[i])
	}
	return append(strconv.AppendFloat(b, x, 'f', 0, 64), units[i])
}

func shortNumber(x float64) string {
	switch {
	case x >= 1e6:
		return strconv.FormatFloat(x/1e6, 'f', 1, 64) + "M"
	case x >= 1e4:
		return strconv.FormatFloat(x/1e3, 'f', 0, 64) + "k"
	case x >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	default:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
}

// Duration shows seconds as top's TIME+ does: 0:03.25, 12:05.00, 3h12m.
func Duration(s float64) string {
	if s < 3600 {
		m := int(s) / 60
		return fmt.Sprintf("%d:%05.2f", m, s-float64(m*60))
	}
	h := int(s) / 3600
	return fmt.Sprintf("%dh%02dm", h, (int(s)%3600)/60)
}
