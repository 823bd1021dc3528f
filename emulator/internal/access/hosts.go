package access

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Token audiences are built from the emulator's own addresses, never from
// whatever Host header a request carries: a token signed for another host
// must not be accepted just because it is sent with that Host.

// URLHost returns the host:port to put in URLs for a listener address; an
// unspecified IP (":8080") becomes 127.0.0.1.
func URLHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// IsLoopback reports whether a listener address is on a loopback interface
// only (not 0.0.0.0, :: or an external address).
func IsLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// OwnHosts returns the host:port names the emulator is reachable as: the
// address of its URL, localhost and the loopback addresses when it listens
// on loopback or on every interface, the host of Options.Addr as written
// (e.g. "myhost:8080"), the addresses of the machine's interfaces when it
// listens on every interface, and the names of Options.HostNames.
func OwnHosts(ln net.Addr, configured string, extra []string) (map[string]bool, error) {
	hosts := listenHosts(ln, configured)
	port := ""
	if tcp, ok := ln.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	for _, name := range extra {
		h, p, err := net.SplitHostPort(name)
		if err != nil {
			h, p = name, port
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || h == "" || strings.ContainsAny(h, "/?#@ ") {
			return nil, fmt.Errorf("invalid host name %q in Options.HostNames: use a host (\"emulator\") or host:port (\"emulator:8080\")", name)
		}
		hosts[net.JoinHostPort(strings.ToLower(h), p)] = true
	}
	return hosts, nil
}

// listenHosts returns the names ownHosts derives from the listener and
// Options.Addr.
func listenHosts(ln net.Addr, configured string) map[string]bool {
	hosts := map[string]bool{URLHost(ln): true}
	tcp, ok := ln.(*net.TCPAddr)
	if !ok {
		return hosts
	}
	port := strconv.Itoa(tcp.Port)
	add := func(h string) { hosts[net.JoinHostPort(h, port)] = true }
	if tcp.IP == nil || tcp.IP.IsUnspecified() || tcp.IP.IsLoopback() {
		add("localhost")
		add("127.0.0.1")
		add("::1")
	}
	if h, _, err := net.SplitHostPort(configured); err == nil && h != "" && net.ParseIP(h) == nil {
		add(strings.ToLower(h))
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					add(ipn.IP.String())
				}
			}
		}
	}
	return hosts
}
