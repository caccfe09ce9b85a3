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

// Storage is the message of the line the KV server logs every few seconds when its durable
// storage did anything: key Syncs holds how many fsyncs it has made since the node started.
// scripts/durability reads the last such line of each node to count fsyncs per operation.
const Storage = "storage"

// Syncs is the attribute key of a Storage line that scripts/durability reads.
const Syncs = "syncs"
