package storage_test

import (
	"testing"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/stretchr/testify/assert"
)

func TestValidateAttachments(t *testing.T) {
	in0 := storage.Attachment{Flow: storage.FlowInput, Stage: 0}
	out3 := storage.Attachment{Flow: storage.FlowOutput, Stage: storage.MaxStage}
	assert.NoError(t, storage.ValidateAttachments(nil))
	assert.NoError(t, storage.ValidateAttachments([]storage.Attachment{in0, out3}))
	for name, atts := range map[string][]storage.Attachment{
		"unknown flow":   {{Flow: "SIDEWAYS"}},
		"lower-case":     {{Flow: "input"}},
		"negative stage": {{Flow: storage.FlowInput, Stage: -1}},
		"stage 4":        {{Flow: storage.FlowInput, Stage: storage.MaxStage + 1}},
		"pair twice":     {in0, out3, in0},
	} {
		assert.ErrorIs(t, storage.ValidateAttachments(atts), storage.ErrInvalid, name)
	}
}
