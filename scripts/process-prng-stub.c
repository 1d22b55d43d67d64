/* A test-only stand-in for Windows' bcryptprimitives.dll, for Wine 8.0, which lacks it.
 *
 * Rust's standard library gets its random numbers (HashMap seeds) from ProcessPrng in
 * bcryptprimitives.dll, present on Windows 10 and later. Wine 8.0 has no such DLL, so a
 * Windows build of shenbao cannot start under it. This DLL exports ProcessPrng and fills the
 * buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine implements.
 *
 * scripts/wine-prefix.sh builds it with mingw-w64 and puts it into a Wine prefix's system32.
 * It is never shipped: beside shenbao.exe on Windows it would shadow the real system DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
