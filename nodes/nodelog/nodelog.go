package nodelog

// LeaderChanged is the message of the line the KV server logs each time the
// leader it knows of changes: key From holds the leader before, key To the
// leader after ("" for none). Together with the time slog stamps on every line
// and the node the log belongs to, it is what the benchmark report reads to
// tell whether a partition cut the leader off.
const LeaderChanged = "leader changed"

// The attribute keys of a LeaderChanged line.
const (
	From = "from"
	To   = "to"
)
