package process

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Memory is one reading of a process's memory from /proc/<pid>/status.
type Memory struct {
	// RSS is VmRSS, the resident set size now, in KiB.
	RSS int64
	// HWM is VmHWM, the peak resident set size so far, in KiB.
	HWM int64
}

// ReadMemory reads the memory figures of process pid. It fails where there
// is no /proc (not Linux) and once the process has exited.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Memory{}, fmt.Errorf("process: memory: %w", err)
	}
	return parseStatus(b)
}

// State returns the state letter of process pid from /proc/<pid>/stat: R
// (running), S (sleeping), T (stopped, as a paused node is), Z (a zombie),
// ...; "" when it cannot be read (no such process, or no /proc). It lets a
// test see that a pause stopped a process and that nothing stays stopped.
func State(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name, in parentheses, may hold spaces and parentheses:
	// the state follows the last closing one.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return ""
	}
	return string(b[i+2 : i+3])
}

// parseStatus extracts VmRSS and VmHWM ("VmRSS:	    5120 kB") from the
// text of a /proc/<pid>/status file.
func parseStatus(b []byte) (Memory, error) {
	var m Memory
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(name) {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.HWM
		default:
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return Memory{}, fmt.Errorf("process: memory: bad line %q", sc.Text())
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("process: memory: %w", err)
		}
		*dst = v
		found++
	}
	if found != 2 {
		return Memory{}, fmt.Errorf("process: memory: no VmRSS and VmHWM (a kernel thread or a zombie?)")
	}
	return m, nil
}
