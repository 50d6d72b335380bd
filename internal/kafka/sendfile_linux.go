package kafka

import (
	"io"
	"net"

	"golang.org/x/sys/unix"

	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// sendChunk sends a log chunk with sendfile(2), so record bytes go from the
// page cache to the socket without passing through user space. The file
// offset is passed explicitly (not the file's own position) because many
// connections read the same segment at once.
func sendChunk(nc net.Conn, c commitlog.Chunk) error {
	tcp, ok := nc.(*net.TCPConn)
	if !ok {
		return copyChunk(nc, c)
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return copyChunk(nc, c)
	}
	src := int(c.File().Fd())
	off := c.Pos()
	remaining := c.Len()
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		for remaining > 0 {
			n, err := unix.Sendfile(int(fd), src, &off, remaining)
			if n > 0 {
				remaining -= n
			}
			switch {
			case err == unix.EAGAIN:
				return false // wait until the socket is writable
			case err == unix.EINTR:
			case err != nil:
				werr = err
				return true
			case n == 0:
				werr = io.ErrUnexpectedEOF // the file is shorter than the chunk
				return true
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	return werr
}

func copyChunk(w io.Writer, c commitlog.Chunk) error {
	buf, err := c.AppendTo(nil)
	if err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}
