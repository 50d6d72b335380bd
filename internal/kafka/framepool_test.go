package kafka

import "testing"

func TestFramePool(t *testing.T) {
	for _, n := range []int{0, 1, 100, 4095, 4096, 4097, 1 << 20, 1<<20 + 1, 1 << 27, 1<<27 + 1} {
		b := getFrame(n)
		if len(b) != n {
			t.Fatalf("getFrame(%d) has length %d", n, len(b))
		}
		putFrame(b)
		if again := getFrame(n); len(again) != n {
			t.Fatalf("reused frame for %d has length %d", n, len(again))
		}
	}
	if got := sizeClass(4097); got != 13 {
		t.Fatalf("sizeClass(4097) = %d, want 13", got)
	}
}
