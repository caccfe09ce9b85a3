// Package coretest holds what the tests of both consensus cores need in the same form, so
// that each core's tests keep only what is about its own protocol.
//
// Disk is one node's stable storage kept in memory with the contract's semantics
// (nodes/consensus, and the real log in nodes/wal): a saved State replaces the last, Records
// are appended in order, a Snapshot drops the records it covers, and what a restart reads back
// is exactly what was saved, less the record a planned damage lost. What State and the
// records mean stays each core's business: a core's tests decode them into their own mirror
// and check every message against it.
//
// ChainHash is the hash chain over applied entries by which both cores' tests compare
// replicas: one number per index instead of the whole state.
package coretest
