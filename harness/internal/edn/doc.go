// Package edn writes JSON documents in EDN, Clojure's notation, the form in
// which Maelstrom and Jepsen store results and histories (results.edn,
// history.edn, history.txt), so that tools written against Maelstrom read
// this harness's files.
//
// There is one encoder, Style.Encode, over the JSON the harness already
// writes: it keeps map keys in the document's order and numbers as written,
// so that the same run gives the same bytes. What differs between the files
// is a Style: whether map keys are keywords, whether maps break one entry per
// line, and which strings are keywords (a verdict such as :unknown, an error
// name such as :net-timeout).
package edn
