package kvserver

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// logCommand is what goes into the log: the operation plus who asked, so that whoever applies
// it can answer, and so that a duplicate is applied once. Its wire form is a JSON object
// {"c":client,"id":msg_id,"op":op,"k":key[,"v":value][,"f":from,"t":to]}, written and read by
// hand because every write passes through it twice.
type logCommand struct {
	Client string
	MsgID  uint64
	kv.Command
}

// encode returns the command's wire form. Key, Value, From and To are valid JSON: the runtime
// scanned them.
func (c logCommand) encode() []byte {
	n := 48 + len(c.Client) + len(c.Key) + len(c.Value) + len(c.From) + len(c.To)
	b := make([]byte, 0, n)
	b = append(b, `{"c":`...)
	b = nodes.AppendString(b, c.Client)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, c.MsgID, 10)
	b = append(b, `,"op":`...)
	b = nodes.AppendString(b, string(c.Op))
	b = appendMember(b, "k", c.Key)
	b = appendMember(b, "v", c.Value)
	b = appendMember(b, "f", c.From)
	b = appendMember(b, "t", c.To)
	return append(b, '}')
}

func appendMember(b []byte, name string, raw json.RawMessage) []byte {
	if raw == nil {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":`...)
	return append(b, raw...)
}

// decodeLogCommand reads a command written by encode.
func decodeLogCommand(data []byte) (logCommand, error) {
	fs, err := nodes.ParseObject(data)
	if err != nil {
		return logCommand{}, err
	}
	var c logCommand
	var ok bool
	if c.Client, ok = nodes.String(fs.Get("c")); !ok {
		return logCommand{}, fmt.Errorf("kvserver: command without client: %.80s", data)
	}
	if c.MsgID, err = strconv.ParseUint(string(fs.Get("id")), 10, 64); err != nil {
		return logCommand{}, fmt.Errorf("kvserver: command without msg id: %.80s", data)
	}
	op, _ := nodes.String(fs.Get("op"))
	c.Command = kv.Command{Op: kv.Op(op), Key: fs.Get("k"), Value: fs.Get("v"), From: fs.Get("f"), To: fs.Get("t")}
	return c, c.Validate()
}
