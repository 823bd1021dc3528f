// Command attackrss measures the peak memory of the CLI emulator under the
// attacks of issue 21, for two builds of the CLI (before and after), each
// attack against a fresh emulator process, and prints a Markdown table for
// BENCHMARKS.md.
//
//	go build -o /tmp/after/webpubsub ./cmd/webpubsub
//	git worktree add /tmp/before-harden 6a411b7
//	(cd /tmp/before-harden && go build -o /tmp/before/webpubsub ./cmd/webpubsub)
//	go run ./scripts/attackrss -before /tmp/before/webpubsub -after /tmp/after/webpubsub
//
// Every attack comes from 127.0.0.1. The peak is the process's VmHWM
// (/proc/<pid>/status), the idle figure its VmRSS right after start, the
// end figure its VmRSS once the attack's clients are gone. An emulator
// that grows past -cap is stopped and its peak reported as at least the
// cap. Linux only (it reads /proc).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// attack is one row of the table.
type attack struct {
	name string
	// config, when set, is a settings file's content (-config).
	config string
	// upstream starts a local event handler (-upstream) that never answers
	// the user event "slow".
	upstream bool
	run      func(e *emulatorProc) (note string, err error)
}

// result is one attack against one build.
type result struct {
	idle, peak, end int64  // KiB
	stderr          int64  // bytes
	stop            string // how Ctrl+C (SIGINT) stopped it
	note            string
	err             error
}

func main() {
	before := flag.String("before", "", "the CLI built from the commit before (required)")
	after := flag.String("after", "", "the CLI built from this tree (required)")
	only := flag.String("only", "", "run only the attacks whose name contains this text")
	capMiB := flag.Int64("cap", 2048, "stop an emulator whose RSS passes this many MiB")
	flag.Parse()
	if *before == "" || *after == "" {
		fmt.Fprintln(os.Stderr, "usage: attackrss -before <cli> -after <cli> [-only <text>] [-cap <MiB>]")
		os.Exit(2)
	}
	rssCap = *capMiB << 10
	fmt.Printf("| attack | idle RSS | peak before | peak after | end RSS before | end RSS after | stderr before | stderr after | Ctrl+C before | Ctrl+C after |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, a := range attacks() {
		if *only != "" && !strings.Contains(a.name, *only) {
			continue
		}
		b := measure(*before, a)
		n := measure(*after, a)
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a.name, mib(n.idle), peak(b), peak(n), mib(b.end), mib(n.end), size(b.stderr), size(n.stderr), b.stop, n.stop)
		for _, r := range []struct {
			build string
			res   result
		}{{"before", b}, {"after", n}} {
			if r.res.err != nil {
				fmt.Fprintf(os.Stderr, "%s, %s: %s\n", a.name, r.build, clip(r.res.err.Error()))
			}
			if r.res.note != "" {
				fmt.Fprintf(os.Stderr, "%s, %s: %s\n", a.name, r.build, r.res.note)
			}
		}
	}
}

// measure runs a against a fresh emulator of the CLI at bin.
func measure(bin string, a attack) result {
	var up *upstream
	var args []string
	if a.upstream {
		var err error
		if up, err = startUpstream(); err != nil {
			return result{err: err}
		}
		defer up.close()
		args = append(args, "-upstream", up.url+"/upstream/{event}")
	}
	e, err := startEmulator(bin, a.config, args...)
	if err != nil {
		return result{err: err}
	}
	r := result{idle: e.rss("VmRSS")}
	start := time.Now()
	r.note, r.err = a.run(e)
	if up != nil {
		up.release() // the handler lets go of the calls it holds
	}
	time.Sleep(2 * time.Second) // let the emulator release what the attack's clients held
	r.peak, r.end, r.stderr = e.rss("VmHWM"), e.rss("VmRSS"), e.stderrBytes()
	if e.capped() {
		r.note = strings.TrimSpace(r.note + fmt.Sprintf(" stopped at %d MiB RSS", rssCap>>10))
	}
	r.note = strings.TrimSpace(r.note + fmt.Sprintf(" (run %.1f s)", time.Since(start).Seconds()))
	d, ok := e.stop()
	switch {
	case e.capped():
		r.stop = "– (stopped at the cap)"
	case ok:
		r.stop = fmt.Sprintf("stops in %.1f s", d.Seconds())
	default:
		r.stop = "**hangs** (killed after 10 s)"
	}
	return r
}

// clip shortens an error that quotes a 1 MB URL.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// mib formats KiB as MiB.
func mib(kib int64) string {
	if kib <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}

// peak formats a result's peak, marking one that hit the cap.
func peak(r result) string {
	if r.peak >= rssCap {
		return "≥ " + mib(rssCap) + " (stopped)"
	}
	return mib(r.peak)
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
