/* evs-ecf.h
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

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Prophesee's ECF event codec (FORMATS.md §3.3), written from the
 * specification.  One block holds up to 65535 time-sorted CD events. */

#define EVS_ECF_FILTER_ID   0x8ECF
#define EVS_ECF_MAX_EVENTS  65535

/**
 * EvsEcfEvent:
 *
 * The record ECF blocks decode to in HDF5 (`CD/events`), 16 bytes.
 */
typedef struct
{
  guint16 x;
  guint16 y;
  gint16  p;
  gint64  t;
} EvsEcfEvent;

/**
 * EvsEcfMode:
 * @EVS_ECF_MODE_AUTO: choose as Prophesee's encoder does
 * @EVS_ECF_MODE_PACKED_YXP: y, x and p packed in 24 bits per event
 * @EVS_ECF_MODE_PACKED_XP: run-length y, x and p packed in 12 bits
 * @EVS_ECF_MODE_MASKED_X: run-length y, masked x runs, run-length p
 */
typedef enum
{
  EVS_ECF_MODE_AUTO,
  EVS_ECF_MODE_PACKED_YXP,
  EVS_ECF_MODE_PACKED_XP,
  EVS_ECF_MODE_MASKED_X,
} EvsEcfMode;

gboolean evs_ecf_peek_count   (const guint8   *in,
                               gsize           len,
                               gsize          *n_events,
                               GError        **error);
gboolean evs_ecf_decode       (const guint8   *in,
                               gsize           len,
                               gint64         *t,
                               guint16        *x,
                               guint16        *y,
                               guint8         *p,
                               gsize           max_events,
                               gsize          *n_events,
                               GError        **error);
gsize    evs_ecf_encode_bound (gsize           n_events);
gboolean evs_ecf_encode       (const gint64   *t,
                               const guint16  *x,
                               const guint16  *y,
                               const guint8   *p,
                               gsize           n_events,
                               EvsEcfMode      mode,
                               guint8         *out,
                               gsize           out_size,
                               gsize          *out_len,
                               GError        **error);
void     evs_ecf_register_filter (void);

G_END_DECLS
