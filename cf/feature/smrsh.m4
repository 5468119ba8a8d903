divert(-1)
#
# FEATURE(`smrsh' [, path]) - run programs through smrsh:
#	Mprog, P=/usr/sbin/smrsh, ..., A=smrsh -c $u
#
define(`_CF_LOADED_', `1')dnl
define(`_SMRSH_PATH_', ifelse(defn(`_ARG_'), `',
    `ifdef(`confEBINDIR', `confEBINDIR', `/usr/libexec')/smrsh', `defn(`_ARG_')'))
