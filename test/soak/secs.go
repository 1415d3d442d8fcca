//go:build ignore

// secs prints a Go duration in whole seconds, for the soak script.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	d, err := time.ParseDuration(os.Args[1])
	if err != nil || d < 20*time.Second {
		fmt.Fprintln(os.Stderr, "soak: want a duration of at least 20s, like 2m")
		os.Exit(2)
	}
	fmt.Println(int(d.Seconds()))
}
