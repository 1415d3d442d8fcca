package cgroupv2

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// cpioEntry is one file of an initramfs (cpio "newc" format, the one the
// kernel unpacks).
type cpioEntry struct {
	name         string
	mode         uint32 // type and permission bits, as in stat(2)
	data         []byte // file content, or a symlink's target
	major, minor uint32 // device numbers of a device node
}

const (
	sIFDIR = 0o040000
	sIFREG = 0o100000
	sIFLNK = 0o120000
	sIFCHR = 0o020000
)

// writeInitramfs writes entries as a gzip-compressed newc cpio archive.
// Writing the archive ourselves lets it hold /dev/console, which the kernel
// needs to give init a console, without root or mknod.
func writeInitramfs(path string, entries []cpioEntry) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		f.Close()
		return err
	}
	n := 0
	put := func(e cpioEntry, ino int) error {
		hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, e.mode, 0, 0, 1, 0, len(e.data), 0, 0, e.major, e.minor, len(e.name)+1, 0)
		if _, err := io.WriteString(zw, hdr+e.name+"\x00"); err != nil {
			return err
		}
		n += len(hdr) + len(e.name) + 1
		if err := pad(zw, &n); err != nil {
			return err
		}
		if _, err := zw.Write(e.data); err != nil {
			return err
		}
		n += len(e.data)
		return pad(zw, &n)
	}
	for i, e := range entries {
		if err := put(e, i+1); err != nil {
			f.Close()
			return err
		}
	}
	if err := put(cpioEntry{name: "TRAILER!!!"}, 0); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pad writes zeros up to the next multiple of 4 bytes, as newc requires
// after each header+name and each file's data.
func pad(w io.Writer, n *int) error {
	k := (4 - *n%4) % 4
	*n += k
	_, err := w.Write(make([]byte, k))
	return err
}
