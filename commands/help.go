package commands

// amrecoverHelp is amrecover 3.5.1's help, word for word.
const amrecoverHelp = `valid commands are:

add path1 ...     - add to extraction list (shell wildcards)
addx path1 ...    - add to extraction list (regular expressions)
cd directory      - change cwd on virtual file system (shell wildcards)
cdx directory     - change cwd on virtual file system (regular expressions)
clear             - clear extraction list
delete path1 ...  - delete from extraction list (shell wildcards)
deletex path1 ... - delete from extraction list (regular expressions)
extract           - extract selected files from tapes
exit
help
history           - show dump history of disk
list [filename]   - show extraction list, optionally writing to file
lcd directory     - change cwd on local file system
ls                - list directory on virtual file system
lpwd              - show cwd on local file system
mode              - show the method used to extract SMB shares
pwd               - show cwd on virtual file system
quit
listhost          - list hosts
listdisk [diskdevice]              - list disks
listproperty                       - list property
setdate {YYYY-MM-DD|--MM-DD|---DD} - set date of look
        {YYYY-MM-DD-HH-MM-SS}      - set date of look
setdisk diskname [mountpoint]      - select disk on dump host
sethost host                       - select dump host
setdevice [[-h host] device]       - select tape server and/or device
setproperty [append] [priority] name [value ...] - set a property
setmode smb|tar                    - select the method used to extract SMB shares
settranslate [on|off]              - set/unset translation of non-ASCII characters
storage [storage-name]*            - the name of the storage in order of preference
                                     use 'HOLDING' for the holding disk

`

// amrshellHelp is what amrshell adds.
const amrshellHelp = `?                 - same as help
estimate          - what extract would restore and read: files, parts, volumes in load order
dr [--dry-run] directory - disaster restore: every disk of the host as of the date,
                    each under directory at its mount point
verify            - compare the restore directory with the dumps of the extract list, or of
                    the last extract (reads the volumes again; writes nothing)

amrshell at a terminal:
Tab               - complete a command, host, disk, date, path or local directory
Up, Down          - recall earlier commands (kept in $XDG_STATE_HOME/amrshell/history)
Ctrl-C            - clear the line; during extract, stop it (what was restored stays)
Ctrl-D            - quit, at an empty line

`

func (s *Session) help() { s.printf("%s%s", amrecoverHelp, amrshellHelp) }
