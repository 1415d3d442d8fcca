// Command benchtool is the measuring half of bench/run: the floor (a naive
// reader that only opens, reads and closes the kernel files a refresh
// needs), a ctop-like Docker client (one streaming stats request per
// container), a CPU and peak-memory meter for a child process and the
// Docker daemons, and the table that puts the results side by side.
//
//	benchtool floor   -out F [-passes N] [-gap D]
//	benchtool ctopsim [-seconds N]
//	benchtool measure -out F [-skip N] [-every D] [-daemons] -- cmd args...
//	benchtool table   -dir D
//	benchtool scales  -dir D
//	benchtool spawn   -n N
//
// Results are JSON files, one per measurement, that `table` reads.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "floor":
		err = floorCmd(os.Args[2:])
	case "ctopsim":
		err = ctopsimCmd(os.Args[2:])
	case "measure":
		err = measureCmd(os.Args[2:])
	case "table":
		err = tableCmd(os.Args[2:])
	case "scales":
		err = scalesCmd(os.Args[2:])
	case "spawn":
		err = spawnCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchtool floor|ctopsim|measure|table|scales|spawn [flags]")
	os.Exit(2)
}
