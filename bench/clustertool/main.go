// Command clustertool is the cluster half of bench/cluster: it plays a
// production-size Mesos cluster (clustergen's answers on loopback
// addresses, in a process of its own so that ctop-like's memory and CPU
// are measured alone) or a cAdvisor of thousands of cgroups, measures the
// floor that --cluster is compared with (fetching and decoding every
// agent's /monitor/statistics with net/http and encoding/json, nothing
// else), and checks what ctop-like printed against the goals.
//
//	clustertool serve    -info F [-agents N -tasks T -completed C -hang F -fail F -refuse F]
//	                     [-local-host H -local-ids F]
//	clustertool floor    -info F -out F [-passes N -parallel P]
//	clustertool poll     -info F -out F -host H [-polls N]
//	clustertool cadvisor -info F [-containers N -raw M]
//	clustertool check    fresh|placed|count [flags]
//	clustertool table    -dir D
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
	case "serve":
		err = serveCmd(os.Args[2:])
	case "floor":
		err = floorCmd(os.Args[2:])
	case "poll":
		err = pollCmd(os.Args[2:])
	case "cadvisor":
		err = cadvisorCmd(os.Args[2:])
	case "check":
		err = checkCmd(os.Args[2:])
	case "table":
		err = tableCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "clustertool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: clustertool serve|floor|poll|cadvisor|check|table [flags]")
	os.Exit(2)
}
