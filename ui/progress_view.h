/*
 * The progress view of a long action (`:progress`): its steps with their
 * state and elapsed time, each step's resources as their events arrive,
 * and for a failed step the resource, its reason and what to do next.
 * The action runs on in the event loop when the view is left with Esc,
 * and the view shows it again when reopened.
 */
#ifndef ALBATROSS_PROGRESS_VIEW_H
#define ALBATROSS_PROGRESS_VIEW_H

#include "../src/progress.h"
#include "view.h"

extern const struct pane progress_pane;

/* Makes p the progress the view shows. The caller owns p and keeps it
 * until it calls progress_view_free() or shows another. */
void progress_view_show(struct ui *ui, struct progress *p);
/* Forgets the progress the view shows (its owner frees it). */
void progress_view_free(struct ui *ui);

/* Opens the view of the UI's progress, or reports that nothing ran yet.
 * Returns enum react. */
int progress_view_open(struct ui *ui);

/* REACT_ROWS when the progress view is on top and has something new to
 * show (an event, or another elapsed second while a step runs), else
 * REACT_NONE. Called once per turn of the event loop. */
int progress_view_due(struct ui *ui);

#endif
