divert(-1)
#
# DOMAIN(`generic') - settings a site usually shares between hosts.
#
define(`_CF_LOADED_', `1')dnl
define(`confFORWARD_PATH', `$z/.forward.$w+$h:$z/.forward+$h:$z/.forward.$w:$z/.forward')
define(`confMAX_HEADERS_LENGTH', `32768')
FEATURE(`redirect')
FEATURE(`use_cw_file')
EXPOSED_USER(`root')
