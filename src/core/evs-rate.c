/* evs-rate.c
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

#define G_LOG_DOMAIN "evs-rate"

#include "config.h"

#include "evs-rate.h"

#include <math.h>

G_DEFINE_BOXED_TYPE (EvsRate, evs_rate, evs_rate_ref, evs_rate_unref)

static EvsRate *
evs_rate_new (gint64 t_first,
              gint64 t_last,
              guint  n_bins)
{
  EvsRate *rate = g_new0 (EvsRate, 1);

  g_atomic_ref_count_init (&rate->ref_count);
  rate->n_bins = MAX (n_bins, 1);
  rate->t_first = t_first;
  rate->t_end = MAX (t_last + 1, t_first + 1);
  rate->on = g_new0 (double, rate->n_bins);
  rate->off = g_new0 (double, rate->n_bins);
  return rate;
}

EvsRate *
evs_rate_ref (EvsRate *rate)
{
  g_return_val_if_fail (rate != NULL, NULL);

  g_atomic_ref_count_inc (&rate->ref_count);
  return rate;
}

void
evs_rate_unref (EvsRate *rate)
{
  g_return_if_fail (rate != NULL);

  if (g_atomic_ref_count_dec (&rate->ref_count))
    {
      g_free (rate->on);
      g_free (rate->off);
      g_free (rate);
    }
}

/**
 * evs_rate_new_from_index:
 *
 * Bins the index entries (one per decoded chunk): each entry's events are
 * spread evenly over the bins its time span covers.  O(entries + bins), no
 * file access; as fine as the index, about 64 Ki events per entry.
 *
 * Returns: (transfer full): the rate
 */
EvsRate *
evs_rate_new_from_index (EvsIndex *index,
                         guint     n_bins)
{
  const EvsIndexEntry *entries;
  guint n_entries = 0;
  EvsRate *rate;
  double bin_us;

  g_return_val_if_fail (index != NULL, NULL);

  rate = evs_rate_new (evs_index_get_t_first (index), evs_index_get_t_last (index), n_bins);
  if (evs_index_get_n_events (index) == 0)
    return rate;

  bin_us = (double) (rate->t_end - rate->t_first) / rate->n_bins;
  entries = evs_index_get_entries (index, &n_entries);

  for (guint i = 0; i < n_entries; i++)
    {
      const EvsIndexEntry *e = &entries[i];
      double a = (e->t_first - rate->t_first) / bin_us;
      double b = (e->t_last + 1 - rate->t_first) / bin_us;
      guint first = (guint) CLAMP (floor (a), 0, rate->n_bins - 1);
      guint last = (guint) CLAMP (ceil (b) - 1, first, rate->n_bins - 1);
      double span = MAX (b - a, 1e-9);

      for (guint k = first; k <= last; k++)
        {
          double overlap = MIN (b, k + 1.0) - MAX (a, (double) k);
          double share = (last == first) ? 1.0 : MAX (overlap, 0) / span;

          rate->on[k] += share * e->n_on;
          rate->off[k] += share * (e->n_events - e->n_on);
        }
    }

  return rate;
}

/**
 * evs_rate_new_from_reader:
 *
 * Bins every event of [@t_first, @t_last] exactly, in one streaming pass
 * over @reader (rewound first).  For recordings too small for the index
 * to resolve the bins.
 *
 * Returns: (transfer full): the rate, or %NULL on error or cancellation
 */
EvsRate *
evs_rate_new_from_reader (EvsReader     *reader,
                          gint64         t_first,
                          gint64         t_last,
                          guint          n_bins,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(EvsRate) rate = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  double per_us;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);

  rate = evs_rate_new (t_first, t_last, n_bins);
  per_us = (double) rate->n_bins / (rate->t_end - rate->t_first);

  if (!evs_reader_rewind (reader, error))
    return NULL;

  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;
      for (gsize i = 0; i < chunk->n_events; i++)
        {
          gint64 t = chunk->t[i];
          guint k;

          if (t < rate->t_first || t >= rate->t_end)
            continue;
          k = MIN ((guint) ((t - rate->t_first) * per_us), rate->n_bins - 1);
          if (chunk->p[i])
            rate->on[k] += 1;
          else
            rate->off[k] += 1;
        }
    }

  return g_steal_pointer (&rate);
}

/**
 * evs_rate_new_partial:
 * @marks: (array length=n_marks): increasing times reached by a scan, with
 *   the number of events before each
 * @t_end: the estimated end of the recording
 *
 * The rate so far, while the index is being built: the events between two
 * marks are spread evenly over the bins between them, split ON/OFF by the
 * sampled share.  O(marks + bins).
 *
 * Returns: (transfer full): a partial rate over [@marks[0].t, @t_end)
 */
EvsRate *
evs_rate_new_partial (const EvsRateMark *marks,
                      guint              n_marks,
                      gint64             t_end,
                      guint              n_bins)
{
  EvsRate *rate;
  double bin_us;

  g_return_val_if_fail (marks != NULL && n_marks > 0, NULL);

  rate = evs_rate_new (marks[0].t, MAX (t_end, marks[n_marks - 1].t + 1) - 1, n_bins);
  rate->partial = TRUE;
  bin_us = (double) (rate->t_end - rate->t_first) / rate->n_bins;

  for (guint i = 1; i < n_marks; i++)
    {
      double a = (marks[i - 1].t - rate->t_first) / bin_us;
      double b = (marks[i].t - rate->t_first) / bin_us;
      double n = (double) (marks[i].n_events - marks[i - 1].n_events);
      double on = CLAMP (marks[i - 1].on_fraction, 0.0, 1.0);
      guint first, last;

      if (!(b > a) || n <= 0)
        continue;

      first = (guint) CLAMP (floor (a), 0, rate->n_bins - 1);
      last = (guint) CLAMP (ceil (b) - 1, first, rate->n_bins - 1);
      for (guint k = first; k <= last; k++)
        {
          double overlap = MIN (b, k + 1.0) - MAX (a, (double) k);
          double share = (last == first) ? 1.0 : MAX (overlap, 0) / (b - a);

          rate->on[k] += share * n * on;
          rate->off[k] += share * n * (1 - on);
        }
    }

  return rate;
}

/**
 * evs_rate_get_max:
 *
 * Returns: the largest number of events (ON + OFF) in one bin
 */
double
evs_rate_get_max (const EvsRate *rate)
{
  double max = 0;

  g_return_val_if_fail (rate != NULL, 0);

  for (guint k = 0; k < rate->n_bins; k++)
    max = MAX (max, rate->on[k] + rate->off[k]);
  return max;
}
