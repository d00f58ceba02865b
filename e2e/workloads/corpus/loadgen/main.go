// loadgen sends requests to a URL at a rate that follows a pattern: constant, a sine wave, bursts
// over a base rate, or a wander (a random walk of the rate's logarithm that drifts back to the mean
// over -tau, as real traffic wanders with no fixed period). Each request is sent on its own
// goroutine, so slow responses pile up as in-flight requests do in front of a real service.
package main

import (
	"flag"
	"math"
	"math/rand"
	"net/http"
	"time"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:8080/work", "URL to request")
	rate := flag.Float64("rate", 50, "mean requests per second")
	pattern := flag.String("pattern", "constant", "constant, sine, bursts or wander")
	period := flag.Duration("period", 20*time.Minute, "sine period")
	amplitude := flag.Float64("amplitude", 0.8, "sine amplitude, as a share of the rate")
	duration := flag.Duration("duration", time.Hour, "how long to send")
	tau := flag.Duration("tau", 20*time.Minute, "wander: how fast the rate drifts back to the mean")
	spread := flag.Float64("spread", 0.5, "wander: the standard deviation of the rate's logarithm")
	seed := flag.Int64("seed", 1, "wander and bursts: the random seed, so that a recording can be repeated")
	flag.Parse()
	rng := rand.New(rand.NewSource(*seed))
	logRate := 0.0

	client := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	burstUntil := time.Time{}
	const tick = 20 * time.Millisecond
	carry := 0.0
	for now := range time.Tick(tick) {
		if now.Sub(start) > *duration {
			return
		}
		r := *rate
		switch *pattern {
		case "sine":
			r *= 1 + *amplitude*math.Sin(2*math.Pi*now.Sub(start).Seconds()/period.Seconds())
		case "bursts":
			if now.After(burstUntil) && rng.Float64() < tick.Seconds()/300 {
				burstUntil = now.Add(time.Duration(20+rng.Intn(60)) * time.Second)
			}
			if now.Before(burstUntil) {
				r *= 5
			}
		case "wander":
			// Ornstein-Uhlenbeck in log space: stationary standard deviation spread, mean-reverting over tau.
			dt := tick.Seconds() / tau.Seconds()
			logRate += -logRate*dt + *spread*math.Sqrt(2*dt)*rng.NormFloat64()
			r *= math.Exp(logRate - *spread**spread/2)
		}
		carry += r * tick.Seconds()
		for ; carry >= 1; carry-- {
			go func() {
				resp, err := client.Get(*target)
				if err == nil {
					resp.Body.Close()
				}
			}()
		}
	}
}
