package shorterloop

import (
	"context"
	"fmt"
)

// leveledLogger passes go-retryablehttp's messages to Config.Log.
type leveledLogger struct {
	ctx context.Context
	log func(ctx context.Context, level, msg string, fields map[string]any)
}

func (l leveledLogger) fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return m
}

func (l leveledLogger) Error(msg string, kv ...any) { l.log(l.ctx, "error", msg, l.fields(kv)) }
func (l leveledLogger) Info(msg string, kv ...any)  { l.log(l.ctx, "info", msg, l.fields(kv)) }
func (l leveledLogger) Debug(msg string, kv ...any) { l.log(l.ctx, "debug", msg, l.fields(kv)) }
func (l leveledLogger) Warn(msg string, kv ...any)  { l.log(l.ctx, "warn", msg, l.fields(kv)) }
