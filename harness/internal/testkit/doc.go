// Package testkit holds what the tests of more than one harness package need, so that each
// check is written once: today, that the processes a run started are gone after it. Only
// tests import it.
package testkit
