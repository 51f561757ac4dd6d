package storage

import "fmt"

// ValidateAttachments checks what AppendAudit requires of a record's
// attachments: each has a Flow of FlowInput or FlowOutput and a Stage in
// 0..MaxStage, and no flow and stage pair appears twice. The error wraps
// ErrInvalid. Stores call it before writing anything.
func ValidateAttachments(atts []Attachment) error {
	type key struct {
		flow  Flow
		stage int
	}
	seen := make(map[key]bool, len(atts))
	for _, a := range atts {
		if a.Flow != FlowInput && a.Flow != FlowOutput {
			return fmt.Errorf("attachment flow %q: %w", a.Flow, ErrInvalid)
		}
		if a.Stage < 0 || a.Stage > MaxStage {
			return fmt.Errorf("attachment stage %d: %w", a.Stage, ErrInvalid)
		}
		k := key{a.Flow, a.Stage}
		if seen[k] {
			return fmt.Errorf("attachment %s/%d twice: %w", a.Flow, a.Stage, ErrInvalid)
		}
		seen[k] = true
	}
	return nil
}
