// Package gtar reads and extracts the GNU tar incremental archives Amanda's amgtar makes, in
// pure Go: it replaces amrecover's `tar --numeric-owner -xpGv --files-from LIST`.
//
// Reader parses the stream (GNU and ustar headers, base-256 numbers, GNU long names and links,
// PAX headers, D dumpdir members, old GNU and PAX 0.0/0.1/1.0 sparse files). Extract restores a
// level chain when called once per dump, oldest first, into the same FS:
//
//	for each member (directories first, as GNU tar writes incremental archives):
//	    refuse absolute names, names with "..", NUL bytes, or longer than Linux allows (the
//	    rest goes on)
//	    choice := Select.Member(name)
//	    directory member (D):
//	        Listed:  print "./dir/"; apply its renames; purge; mkdir; set mode/mtime at the end
//	        Exact:   apply its renames (as if not listed); purge silently (lines on Notes)
//	        not selected: apply the renames whose target is selected
//	        renames: R/T records (GNU tar puts them in "./") move old names to new ones: stage
//	                 every source aside, then put each at its target
//	        purge:   delete every entry the dumpdir does not list (or lists with another type),
//	                 printing "amrshell: Deleting './dir/x'" where tar would, also for names
//	                 amrshell moved instead of deleting (their content went to the new name)
//	    other member, Listed:
//	        print its name (EscapeName); refuse writing through a symbolic link
//	        something there: Overwrite policy (always, as tar; never; if-newer) may keep it
//	        regular file: write .amrshell-XXXXXXXX beside it (Verify: read it back, compare
//	                 SHA-256), set owner/mode/times (not root: no set-id bits of others), rename
//	        hard link, symbolic link: replace what is there; device: root only; fifo: anyone
//	at the end: set directories' owner/mode/times, deepest first
//
// Regular files over 1 MiB are written, given their attributes and renamed by a writer
// goroutine, in archive order, while the reader goes on (write-behind); a member that could see
// an unfinished file (a directory, a link, the same name or one above it) waits for it first.
// Writer gives other archive formats (recover/dump) the same safe writing.
//
// Compare checks a restored tree against a stream instead (tar --compare): every selected
// member missing or different on disk (type, mode, mtime, size, SHA-256, link, owner) is told.
//
// Listed is what amrecover's tar would do; Exact is what amrshell adds so that restoring the
// entries of a directory one by one (`add *`) gives the same tree as restoring the directory
// (`add .`), deletions and renames included.
package gtar
