/* test-dat.c
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

#include "config.h"

#include "evs-ecf.h"
#include "evs-error.h"

#include <stdlib.h>
#include <string.h>

/* The ECF decoder on arbitrary bytes.  When a block decodes, the events
 * are encoded again (when they can be) and must decode to the same. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gint64 t[EVS_ECF_MAX_EVENTS], t2[EVS_ECF_MAX_EVENTS];
static guint16 x[EVS_ECF_MAX_EVENTS], x2[EVS_ECF_MAX_EVENTS];
static guint16 y[EVS_ECF_MAX_EVENTS], y2[EVS_ECF_MAX_EVENTS];
static guint8 p[EVS_ECF_MAX_EVENTS], p2[EVS_ECF_MAX_EVENTS];

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);  /* exact bounds for ASan */
  g_autofree guint8 *out = NULL;
  GError *error = NULL;
  gsize n = 0, max, len = 0, n2 = 0;
  gboolean sorted = TRUE;

  /* The first byte picks a smaller output capacity to exercise that check. */
  max = size > 0 && (data[0] & 1) ? (gsize) data[0] * 64 % EVS_ECF_MAX_EVENTS : EVS_ECF_MAX_EVENTS;

  if (!evs_ecf_decode (copy, size, t, x, y, p, max, &n, &error))
    {
      if (error == NULL || error->domain != EVS_ERROR)
        abort ();
      g_error_free (error);
      return 0;
    }
  if (n > max)
    abort ();

  for (gsize i = 1; i < n; i++)
    sorted = sorted && t[i] >= t[i - 1];
  out = g_malloc (evs_ecf_encode_bound (n));
  if (sorted && evs_ecf_encode (t, x, y, p, n, EVS_ECF_MODE_AUTO, out, evs_ecf_encode_bound (n),
                                &len, NULL))
    {
      if (!evs_ecf_decode (out, len, t2, x2, y2, p2, n, &n2, NULL) || n2 != n
          || memcmp (t, t2, n * sizeof *t) != 0 || memcmp (x, x2, n * sizeof *x) != 0
          || memcmp (y, y2, n * sizeof *y) != 0 || memcmp (p, p2, n) != 0)
        abort ();
    }
  return 0;
}
