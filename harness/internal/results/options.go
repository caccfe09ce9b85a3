package results

import "time"

// Options are the settings of one test, with Maelstrom's names: what
// results.json records under test.options (the durations, which it restates
// in Maelstrom's units in TestInfo, are left out of the map).
type Options struct {
	// Bin is the node binary; Args are passed to it.
	Bin  string   `json:"bin"`
	Args []string `json:"args"`
	// Workload is lin-kv, the only one.
	Workload string `json:"workload"`
	// Nodes are the node ids, in order.
	Nodes []string `json:"nodes"`
	// Concurrency is the number of worker threads, a multiple of 2N.
	Concurrency int `json:"concurrency"`
	// Rate is the total ops/s; 0 means no client ops.
	Rate float64 `json:"rate"`
	// TimeLimit bounds the issuing of client and nemesis ops.
	TimeLimit time.Duration `json:"-"`
	// Latency is the mean node-to-node latency; LatencyDist its
	// distribution (constant, uniform or exponential).
	Latency     time.Duration `json:"-"`
	LatencyDist string        `json:"latency-dist"`
	// Nemesis lists the faults (partition, kill, pause); NemesisInterval is
	// the mean gap between two ops of the partition nemesis, and between two
	// of the kill and pause nemesis.
	Nemesis         []string      `json:"nemesis"`
	NemesisInterval time.Duration `json:"-"`
	// Availability is the required ok fraction, or negative when unset.
	Availability float64 `json:"availability"`
	// LogStderr mirrors node stderr on the harness's log.
	LogStderr bool `json:"log-stderr"`
	// LogNetSend and LogNetRecv log every message sent or received.
	LogNetSend bool `json:"log-net-send"`
	LogNetRecv bool `json:"log-net-recv"`
	// Seed seeds the generator, the nemesis and the latency draws.
	Seed int64 `json:"seed"`
	// PerKeyLimit, if positive, retires a key after that many ops.
	PerKeyLimit int `json:"per-key-limit"`
	// Store is the root of the store directory ("store").
	Store string `json:"store"`
	// CheckTimeout bounds porcupine per key; 0 means none.
	CheckTimeout time.Duration `json:"-"`
	// MaelstromParity judges validity exactly as Maelstrom does: the
	// sections of checks Maelstrom does not have (Results.Verdict) are
	// still computed and reported, but do not count in valid?.
	MaelstromParity bool `json:"maelstrom-parity"`
}
