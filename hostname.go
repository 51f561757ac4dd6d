package gatehouse

import "os"

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "gatehouse"
	}
	return h
}
