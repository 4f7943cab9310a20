/* Status strings and the library version. */
#include "hogkit.h"

const char *hk_version_string(void)
{
    return HK_VERSION_STRING;
}

const char *hk_strerror(hk_status status)
{
    switch (status) {
    case HK_OK: return "success";
    case HK_ERR_INVALID_ARG: return "invalid argument";
    case HK_ERR_NOMEM: return "out of memory";
    case HK_ERR_OVERFLOW: return "size overflow";
    case HK_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case HK_ERR_LIMIT: return "input exceeds a configured limit";
    case HK_ERR_IO: return "input/output error";
    case HK_ERR_FORMAT: return "malformed or unrecognised data";
    case HK_ERR_TRUNCATED: return "data is truncated";
    case HK_ERR_UNSUPPORTED: return "unsupported data";
    case HK_ERR_TOO_SMALL: return "image too small for the requested geometry";
    case HK_ERR_NONFINITE: return "NaN or infinity in the input";
    case HK_ERR_DOMAIN: return "value outside the operation's domain";
    }
    return "unknown status";
}
