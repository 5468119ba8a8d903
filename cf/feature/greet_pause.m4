divert(-1)
#
# FEATURE(`greet_pause', ms) - wait ms milliseconds before the greeting
# and refuse clients that talk first:  D{greet_pause}ms
#
define(`_CF_LOADED_', `1')dnl
ifelse(regexp(defn(`_ARG_'), `^[0-9]+$'), `0', `define(`_GREET_PAUSE_', defn(`_ARG_'))',
    `_CF_ERROR_(`FEATURE(greet_pause): the argument is a number of milliseconds')')
