// UAL_API marks the symbols libual.so exports; everything else stays hidden.
#pragma once

#if defined(UAL_BUILDING_LIBRARY)
#define UAL_API __attribute__((visibility("default")))
#else
#define UAL_API
#endif
