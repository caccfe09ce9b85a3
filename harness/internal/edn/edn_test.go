package edn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStyles(t *testing.T) {
	doc := []byte(`{"z":1.50,"0":[null,true,"s"],"a b":{"k":"v"},"":{}}`)
	for _, c := range []struct {
		name  string
		style Style
		want  string
	}{
		{"plain", Style{}, `{"z" 1.50, "0" [nil true "s"], "a b" {"k" "v"}, "" {}}`},
		{"keyword keys", Style{KeywordKeys: true}, `{:z 1.50, 0 [nil true "s"], "a b" {:k "v"}, "" {}}`},
		{"pretty", Style{KeywordKeys: true, Pretty: true}, "{:z 1.50,\n 0 [nil true \"s\"],\n \"a b\" {:k \"v\"},\n \"\" {}}"},
	} {
		got, err := c.style.Encode(doc)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, got, c.name)
	}
}

// TestPlaces: Keyword is asked about every string with where it stands.
func TestPlaces(t *testing.T) {
	var seen []Place
	s := Style{Keyword: func(s string, at Place) bool {
		seen = append(seen, at)
		return s == "kw"
	}}
	got, err := s.Encode([]byte(`["kw",{"k":"kw","l":["x","kw"]},"y"]`))
	require.NoError(t, err)
	assert.Equal(t, `[:kw {"k" :kw, "l" ["x" :kw]} "y"]`, got)
	assert.Equal(t, []Place{
		{Index: 0, Depth: 1}, {Key: "k", Index: -1, Depth: 2},
		{Index: 0, Depth: 3}, {Index: 1, Depth: 3}, {Index: 2, Depth: 1},
	}, seen)
	_, err = s.Encode([]byte(`"kw"`))
	require.NoError(t, err)
	assert.Equal(t, Place{Index: -1}, seen[len(seen)-1], "a top-level value stands nowhere")
}

func TestNotJSON(t *testing.T) {
	for _, doc := range []string{``, `{"a":`, `[1,}`, `{"a" 1}`} {
		_, err := Style{}.Encode([]byte(doc))
		assert.Error(t, err, doc)
	}
}

func TestQuoting(t *testing.T) {
	got, err := Style{KeywordKeys: true}.Encode([]byte(`{"x\"y":"tab\tand ☃","(k)":-3e5,"12345678901234567890":0}`))
	require.NoError(t, err)
	assert.Equal(t, `{"x\"y" "tab\tand ☃", "(k)" -3e5, :12345678901234567890 0}`, got,
		"a key that cannot be a keyword is a string; an integer-looking key too large for int64 is a keyword, as before")
}
