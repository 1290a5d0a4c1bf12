package pktscript

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// field finds the field of the struct v that name names, in any case; a
// dotted name names a field of a nested struct ("TCP.MSS").
func field(v reflect.Value, name string) (reflect.Value, error) {
	for part := range strings.SplitSeq(name, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("%s is not a struct", name)
		}
		typ := v.Type().Name()
		v = v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, part) })
		if !v.IsValid() {
			return reflect.Value{}, fmt.Errorf("no field %q in %s", part, typ)
		}
	}
	return v, nil
}

// SetFields sets fields of the struct *v from a config directive's
// arguments, Key=Value each, the keys as field finds them. Durations are
// written as time.ParseDuration reads them.
func SetFields(v any, args []string) error {
	root := reflect.ValueOf(v).Elem()
	for _, a := range args {
		name, val, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("config %q: want Key=Value", a)
		}
		f, err := field(root, name)
		if err != nil {
			return fmt.Errorf("config: %v", err)
		}
		if err := setField(f, val); err != nil {
			return fmt.Errorf("config %s: %v", name, err)
		}
	}
	return nil
}

func setField(f reflect.Value, val string) error {
	switch {
	case f.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(val)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
	case f.CanInt():
		n, err := strconv.ParseInt(val, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetInt(n)
	case f.CanUint():
		n, err := strconv.ParseUint(val, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetUint(n)
	case f.CanFloat():
		x, err := strconv.ParseFloat(val, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case f.Kind() == reflect.String:
		f.SetString(val)
	default:
		return fmt.Errorf("cannot set a %s", f.Type())
	}
	return nil
}

// CheckStat checks a counter of the struct stats (a snapshot of
// counters), named as field finds it, against value, as a stat action
// writes them.
func CheckStat(stats any, name, value string) error {
	want, err := strconv.ParseUint(value, 10, 64)
	if err != nil {
		return err
	}
	f, err := field(reflect.ValueOf(stats), name)
	if err != nil {
		return fmt.Errorf("stat: %v", err)
	}
	if !f.CanUint() {
		return fmt.Errorf("stat: %s is not a counter", name)
	}
	if f.Uint() != want {
		return fmt.Errorf("%s is %d, want %d", name, f.Uint(), want)
	}
	return nil
}
