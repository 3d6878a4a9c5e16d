/* evs-simd.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-simd"

#include "config.h"

#include "evs-simd-private.h"

EvsSimdLevel
_evs_simd_level (void)
{
  static int level = -1;

  if (G_UNLIKELY (g_atomic_int_get (&level) < 0))
    {
      int l = EVS_SIMD_NONE;

#if defined (__x86_64__) && defined (__GNUC__)
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("popcnt")
          && g_getenv ("EVS_DISABLE_AVX2") == NULL)
        {
          l = EVS_SIMD_AVX2;
          if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
              && __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512vbmi")
              && __builtin_cpu_supports ("avx512vbmi2")
              && __builtin_cpu_supports ("avx512bitalg") && __builtin_cpu_supports ("bmi")
              && __builtin_cpu_supports ("bmi2")
              && g_getenv ("EVS_DISABLE_AVX512") == NULL)
            l = EVS_SIMD_AVX512;
        }
#endif
      g_atomic_int_set (&level, l);
    }
  return (EvsSimdLevel) g_atomic_int_get (&level);
}
