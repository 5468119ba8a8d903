divert(-1)
#
# FEATURE(`delay_checks' [, `friend' | `hater']) - run the connection
# and sender checks at RCPT time.  Words delay_checks (and
# delay_checks_friend or delay_checks_hater) in {Features}.
#
define(`_CF_LOADED_', `1')dnl
ifelse(defn(`_ARG_'), `friend', `_CF_SET_ADD_(`_CF_FEATURES_', `delay_checks_friend')',
    defn(`_ARG_'), `hater', `_CF_SET_ADD_(`_CF_FEATURES_', `delay_checks_hater')',
    defn(`_ARG_'), `', `',
    `_CF_ERROR_(`FEATURE(delay_checks): the argument is friend or hater, not _ARG_')')
