module github.com/amrshell/amrshell

go 1.26.8

require (
	github.com/klauspost/compress v1.20.3
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/spf13/afero v1.15.0
	golang.org/x/sys v0.49.0
	golang.org/x/term v0.47.0
)

require golang.org/x/text v0.28.0 // indirect
