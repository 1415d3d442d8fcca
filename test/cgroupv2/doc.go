// Package cgroupv2 holds the test that runs ctop-like on a real cgroup v2
// kernel: this machine's cgroups are v1, so the v2 code would otherwise be
// proven only on fixture trees. The test boots Debian's kernel under qemu
// (software emulation) with an initramfs of busybox and a static ctop-like,
// makes cgroups shaped as each container runtime makes them on v2 (init.sh)
// and compares ctop-like's JSON with the kernel's own counters.
package cgroupv2
