/* evs-rate.h
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

#include "evs-index.h"
#include "evs-reader.h"

G_BEGIN_DECLS

#define EVS_TYPE_RATE (evs_rate_get_type ())

/**
 * EvsRate:
 * @n_bins: number of bins
 * @t_first: start of the first bin (µs)
 * @t_end: end of the last bin (exclusive)
 * @on: ON events per bin
 * @off: OFF events per bin
 * @partial: built while the recording is still being indexed: the bins
 *   after the scan position are empty and @t_end is an estimate
 *
 * The event rate of a whole recording, binned in time: what the timeline
 * draws.  Immutable once built.
 */
typedef struct
{
  guint           n_bins;
  gint64          t_first;
  gint64          t_end;
  double         *on;
  double         *off;
  gboolean        partial;
  /*< private >*/
  gatomicrefcount ref_count;
} EvsRate;

/**
 * EvsRateMark:
 * @t: a time reached by the indexing scan
 * @n_events: events before @t
 * @on_fraction: share of ON events around @t (a sample)
 */
typedef struct
{
  gint64  t;
  guint64 n_events;
  double  on_fraction;
} EvsRateMark;

GType    evs_rate_get_type         (void) G_GNUC_CONST;
EvsRate *evs_rate_ref              (EvsRate        *rate);
void     evs_rate_unref            (EvsRate        *rate);
EvsRate *evs_rate_new_from_index   (EvsIndex       *index,
                                    guint           n_bins);
EvsRate *evs_rate_new_from_reader  (EvsReader      *reader,
                                    gint64          t_first,
                                    gint64          t_last,
                                    guint           n_bins,
                                    GCancellable   *cancellable,
                                    GError        **error);
EvsRate *evs_rate_new_partial      (const EvsRateMark *marks,
                                    guint              n_marks,
                                    gint64             t_end,
                                    guint              n_bins);
double   evs_rate_get_max          (const EvsRate  *rate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsRate, evs_rate_unref)

G_END_DECLS
